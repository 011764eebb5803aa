import { Queue, type ConnectionOptions } from 'bullmq';
import { prefixKeys, QUEUES, shardPrefixes } from '@knocker/keys';

/** One shard's BullMQ queues, for tests that look at what is stored; the apps reach them through the request store. */
export interface ShardQueues {
  prefix: string;
  // Of any job: the job types are the queue package's, which sits above the test kit.
  delivery: Queue<any>;
  callback: Queue<any>;
  /** Removes every job of both queues: tests clean up what they stored. */
  obliterate(): Promise<void>;
  close(): Promise<void>;
}

/** The queues of shard `index` of a layout of `shards` (the only one by default), under `prefix`. */
export function shardQueues(connection: ConnectionOptions, prefix: string, { shards = 1, index = 0 } = {}): ShardQueues {
  const shard = shardPrefixes(prefix, shards)[index];
  if (shard === undefined) throw new RangeError(`no shard ${index} in a layout of ${shards}`);
  const delivery = new Queue(QUEUES.delivery, { connection, prefix: shard });
  const callback = new Queue(QUEUES.callback, { connection, prefix: shard });
  return {
    prefix: shard,
    delivery,
    callback,
    obliterate: async () => void (await Promise.all([delivery.obliterate({ force: true }), callback.obliterate({ force: true })])),
    close: async () => void (await Promise.allSettled([delivery.close(), callback.close()])),
  };
}

/** What an operator does with `redis-cli HDEL <prefix>:layouts <N>` once a layout's shards are empty. */
export async function forgetLayout(redis: { hdel(key: string, field: string): Promise<number> }, prefix: string, count: number): Promise<void> {
  if (count > 1) await redis.hdel(prefixKeys(prefix).layouts, String(count));
}

/** A log that says nothing, for a request store made by a test. */
export const silentLog = { debug: () => undefined, info: () => undefined, warning: () => undefined, error: () => undefined };
