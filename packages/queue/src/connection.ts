import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { writeOncePerTurn } from './corked-writes.js';

/** A single Redis, or a Redis Cluster that routes each command to the master of its keys' slot. */
export type Connection = Redis | Cluster;

/** REDIS_CLUSTER_NODES, parsed: credentials and TLS apply to every node the seeds lead to. */
export interface ClusterTarget {
  nodes: Array<{ host: string; port: number }>;
  username: string;
  password: string;
  tls: boolean;
}

/** REDIS_URL, or the seeds of a cluster. */
export type RedisTarget = string | ClusterTarget;

const retryStrategy = (times: number) => Math.min(100 * times, 2000);

function connect(target: RedisTarget, options: RedisOptions, cluster: Partial<ClusterOptions> = {}): Connection {
  if (typeof target === 'string') return new Redis(target, { ...options, retryStrategy });
  const { nodes, username, password, tls } = target;
  return new Cluster(nodes, {
    clusterRetryStrategy: retryStrategy,
    ...cluster,
    redisOptions: { ...options, ...(username && { username }), ...(password && { password }), ...(tls && { tls: {} }) },
  });
}

/**
 * For the api. Commands fail at once while Redis is unreachable (no offline queue) and give
 * up after `timeoutMs` when Redis hangs, so a client gets a 503 instead of waiting; ioredis
 * keeps reconnecting in the background, so the api recovers without a restart. Commands
 * issued in one turn leave in one write (`writeOncePerTurn`; ioredis' auto-pipelining on a
 * cluster). On a cluster the same holds per master: a dead
 * master's shards answer 503, the others go on.
 */
export function producerConnection(target: RedisTarget, timeoutMs: number): Connection {
  const options = { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: timeoutMs, connectTimeout: timeoutMs };
  if (typeof target === 'string') return writeOncePerTurn(new Redis(target, { ...options, retryStrategy }));
  return connect(target, options, { enableAutoPipelining: true, enableOfflineQueue: false, slotsRefreshTimeout: timeoutMs });
}

/**
 * For workers. BullMQ blocks on this connection waiting for jobs, so commands must never
 * time out or give up (`maxRetriesPerRequest: null`); reconnection is retried forever.
 */
export function workerConnection(target: RedisTarget): Connection {
  // BullMQ blocks on a duplicate of it, which keeps ioredis' plain writes.
  if (typeof target === 'string') return writeOncePerTurn(new Redis(target, { maxRetriesPerRequest: null, retryStrategy }));
  return connect(target, { maxRetriesPerRequest: null });
}
