import { MAX_SHARDS, prefixKeys, QUEUES, queueKeys } from '@knocker/keys';
import type { Connection } from '../connection.js';

// Shard counts in use, with when a process last said it uses one. On the prefix's own slot.
const registryKey = (prefix: string) => prefixKeys(prefix).layouts;

/**
 * Says this process uses a layout of `count` shards, so that workers configured with
 * another QUEUE_SHARDS consume it too and the api finds its requests. The single-shard
 * layout is not written: its keys are today's keys, found by their presence.
 */
export async function registerLayout(redis: Connection, prefix: string, count: number): Promise<void> {
  if (count > 1) await redis.hset(registryKey(prefix), String(count), String(Date.now()));
}

/** Every shard count that may hold work under this prefix. */
export async function knownLayouts(redis: Connection, prefix: string): Promise<number[]> {
  const [registered, legacy] = await Promise.all([
    redis.hkeys(registryKey(prefix)),
    redis.exists(queueKeys(prefix, QUEUES.delivery).meta, queueKeys(prefix, QUEUES.callback).meta),
  ]);
  const counts = registered.map(Number).filter((n) => Number.isInteger(n) && n > 1 && n <= MAX_SHARDS);
  return legacy > 0 ? [1, ...counts] : counts;
}
