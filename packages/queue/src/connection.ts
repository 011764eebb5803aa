import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';
import { writeOncePerTurn } from './corked-writes.js';

/** A single Redis (maybe the primary sentinels name), or a Redis Cluster that routes each command to the master of its keys' slot. */
export type Connection = Redis | Cluster;

/** REDIS_CLUSTER_NODES, parsed: credentials and TLS apply to every node the seeds lead to. */
export interface ClusterTarget {
  nodes: Array<{ host: string; port: number }>;
  username: string;
  password: string;
  tls: boolean;
}

/** REDIS_SENTINELS, parsed: `nodes` are the sentinels; credentials and TLS are the primary's. */
export interface SentinelTarget extends ClusterTarget {
  name: string;
  sentinelPassword: string;
}

/** REDIS_URL, the seeds of a cluster, or the sentinels of a primary. */
export type RedisTarget = string | ClusterTarget | SentinelTarget;

const retryStrategy = (times: number) => Math.min(100 * times, 2000);

const access = ({ username, password, tls }: ClusterTarget): RedisOptions => ({ ...(username && { username }), ...(password && { password }), ...(tls && { tls: {} }) });

function connect(target: RedisTarget, options: RedisOptions, cluster: Partial<ClusterOptions> = {}): Connection {
  if (typeof target === 'string') return writeOncePerTurn(new Redis(target, { ...options, retryStrategy }));
  if ('name' in target) return writeOncePerTurn(new Redis(sentinelOptions(target, options)));
  return new Cluster(target.nodes, { clusterRetryStrategy: retryStrategy, ...cluster, redisOptions: { ...options, ...access(target) } });
}

/**
 * ioredis asks the sentinels for the primary, and asks again on every reconnect; it never
 * gives up on the sentinels either. A dead primary closes the connection; a demoted one has
 * its clients closed by the sentinels, and READONLY (a write to it all the same) reconnects.
 * ioredis' `failoverDetector` stays off: its disconnect on the sentinels' switch, landing
 * while a reconnection after the primary's death is asking the sentinels, leaves the
 * connection closed for good (status `end`), which the chaos scenario saw as an api answering
 * 503 until restarted.
 */
function sentinelOptions(target: SentinelTarget, options: RedisOptions): RedisOptions {
  const { nodes, name, sentinelPassword, tls } = target;
  return {
    ...options,
    ...access(target),
    sentinels: nodes,
    name,
    ...(sentinelPassword && { sentinelPassword }),
    ...(tls && { enableTLSForSentinelMode: true, sentinelTLS: {} }),
    sentinelRetryStrategy: retryStrategy,
    retryStrategy,
    reconnectOnError: (err) => /^READONLY/.test(err.message),
  };
}

/**
 * For the api. Commands fail at once while Redis is unreachable (no offline queue) and give
 * up after `timeoutMs` when Redis hangs, so a client gets a 503 instead of waiting; ioredis
 * keeps reconnecting in the background (to whichever primary the sentinels name), so the api
 * recovers without a restart. Commands issued in one turn leave in one write
 * (`writeOncePerTurn`; ioredis' auto-pipelining on a cluster). On a cluster the same holds
 * per master: a dead master's shards answer 503, the others go on.
 */
export function producerConnection(target: RedisTarget, timeoutMs: number): Connection {
  const options = { enableOfflineQueue: false, maxRetriesPerRequest: 0, commandTimeout: timeoutMs, connectTimeout: timeoutMs };
  return connect(target, options, { enableAutoPipelining: true, enableOfflineQueue: false, slotsRefreshTimeout: timeoutMs });
}

/**
 * For workers. BullMQ blocks on this connection waiting for jobs, so commands must never
 * time out or give up (`maxRetriesPerRequest: null`); reconnection is retried forever.
 */
export function workerConnection(target: RedisTarget): Connection {
  // BullMQ blocks on a duplicate of it, which keeps ioredis' plain writes.
  return connect(target, { maxRetriesPerRequest: null });
}
