import { Cluster } from 'ioredis';
import { QueueUnavailableError } from './errors.js';
import type { Connection } from './connection.js';
import { slotOf } from '@knocker/keys';

/**
 * WAIT on the connection that stored a shard's last write, for `replicas` copies. WAIT counts
 * what this one connection wrote, so on a cluster it runs on the connection to the shard's
 * master, the one the write went through. Resolves to the replicas that acknowledged in time.
 */
export async function waitForReplicas(shard: { redis: Connection; prefix: string }, replicas: number, timeoutMs: number): Promise<number> {
  const node = shard.redis instanceof Cluster ? masterOf(shard.redis, slotOf(shard.prefix)) : shard.redis;
  if (!node) return 0;
  return Number(await node.call('WAIT', replicas, Math.max(1, Math.floor(timeoutMs))));
}

function masterOf(cluster: Cluster, slot: number) {
  const key = cluster.slots[slot]?.[0];
  return cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === key);
}

/**
 * REDIS_WAIT_REPLICAS: the request was just stored on the shard's master; unless `replicas`
 * replicas hold it too within `timeoutMs`, the client must not be told it is safe.
 */
export async function requireReplicas(shard: { redis: Connection; prefix: string }, replicas: number, timeoutMs: number): Promise<void> {
  // Less than the command timeout of the api's connection, so WAIT's own answer comes first.
  const acked = await waitForReplicas(shard, replicas, timeoutMs * 0.8);
  if (acked < replicas) throw new QueueUnavailableError(`only ${acked} of ${replicas} replicas (REDIS_WAIT_REPLICAS) confirmed the request in time`);
}
