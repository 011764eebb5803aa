import { Queue } from 'bullmq';
import { deliveryJobId, QUEUES, queueKeys, shardIndexOf, shardPrefixes, type QueueKeys } from '@knocker/keys';
import type { Connection } from '../connection.js';
import type { CallbackJob, DeliveryJob } from '../jobs.js';
import { knownLayouts, registerLayout } from './layouts.js';

/** One shard: a delivery queue and a callback queue under one hash tag, so on one master. */
export interface Shard {
  /** Its place in its layout, and the layout's shard count. */
  index: number;
  count: number;
  prefix: string;
  delivery: Queue<DeliveryJob>;
  callback: Queue<CallbackJob>;
  /** The delivery queue's keys, for the request lifecycle's scripts. */
  keys: QueueKeys;
  /** The connection the queues use, for those scripts. */
  redis: Connection;
}

/** How logs and the health check name a shard: `2/3`. */
export const shardLabel = (s: Pick<Shard, 'index' | 'count'>): string => `${s.index + 1}/${s.count}`;

export interface ShardSet {
  /** The QUEUE_SHARDS shards new requests go to. */
  readonly current: readonly Shard[];
  /** Every shard that may hold work: the current ones and those of other layouts still in Redis. */
  readonly all: readonly Shard[];
  /** The shard a new request with this id goes to. */
  forId(id: string): Shard;
  /** The shard of an order key's line: every request with the key is stored there, whatever its id. */
  forOrderKey(orderKey: string): Shard;
  /**
   * A shard holding a request with this id other than its candidates: an ordered request,
   * stored on its order key's shard. Only asked when the candidates do not hold it.
   */
  locate(id: string): Promise<Shard | undefined>;
  /** Where a stored request with this id can be: its current shard first, then its shard in each older layout. */
  candidatesFor(id: string): readonly Shard[];
  /**
   * The shard holding the stored request with this id: with one layout, its shard, at no
   * cost; after a change of QUEUE_SHARDS, the first of its candidate shards that has it.
   */
  holding(id: string): Promise<Shard>;
  /**
   * Records this layout and re-reads the others; resolves to the shards it never reported
   * before. A layout forgotten and registered again brings back the shards it had: not new.
   */
  refresh(): Promise<readonly Shard[]>;
  close(): Promise<void>;
}

/**
 * The queues of QUEUE_SHARDS shards on one connection (a Redis or a Cluster, which routes
 * each shard to its master). Until `refresh` finds other layouts, only the current one is used.
 * `opened` hears of every queue made, so its owner can listen to it.
 */
export function createShardSet(connection: Connection, prefix: string, shards: number, opened: (q: Queue) => void): ShardSet {
  const layouts = new Map<number, readonly Shard[]>();
  const layout = (count: number): readonly Shard[] => {
    let found = layouts.get(count);
    if (!found) {
      found = shardPrefixes(prefix, count).map((p, index) => {
        const shard = {
          index,
          count,
          prefix: p,
          delivery: new Queue<DeliveryJob>(QUEUES.delivery, { connection, prefix: p }),
          callback: new Queue<CallbackJob>(QUEUES.callback, { connection, prefix: p }),
          keys: queueKeys(p, QUEUES.delivery),
          redis: connection,
        };
        opened(shard.delivery);
        opened(shard.callback);
        return shard;
      });
      layouts.set(count, found);
    }
    return found;
  };
  const current = layout(shards);
  let others: ReadonlyArray<readonly Shard[]> = [];
  let all: readonly Shard[] = current;
  // Every shard ever in `all`: the workers consuming one go on with it whatever the registry says.
  const reported = new Set<Shard>(current);
  const candidatesFor = (id: string): readonly Shard[] => {
    const mine = current[shardIndexOf(id, shards)]!;
    if (others.length === 0) return [mine];
    return [mine, ...others.map((l) => l[shardIndexOf(id, l.length)]!)];
  };
  return {
    current,
    get all() {
      return all;
    },
    forId: (id) => current[shardIndexOf(id, shards)]!,
    forOrderKey: (orderKey) => current[shardIndexOf(orderKey, shards)]!,
    async locate(id) {
      const skip = new Set(candidatesFor(id));
      const rest = all.filter((s) => !skip.has(s));
      const jobId = deliveryJobId(id);
      const held = await Promise.all(rest.map((s) => s.redis.exists(s.keys.job(jobId))));
      return rest[held.indexOf(1)];
    },
    candidatesFor,
    async holding(id) {
      const candidates = candidatesFor(id);
      if (candidates.length > 1) {
        const jobId = deliveryJobId(id);
        for (const shard of candidates) if ((await shard.redis.exists(shard.keys.job(jobId))) === 1) return shard;
      }
      return candidates[0]!;
    },
    async refresh() {
      await registerLayout(connection, prefix, shards);
      const counts = (await knownLayouts(connection, prefix)).filter((n) => n !== shards);
      others = counts.map(layout);
      all = [...current, ...others.flat()];
      const found = all.filter((s) => !reported.has(s));
      for (const s of found) reported.add(s);
      return found;
    },
    async close() {
      await Promise.allSettled([...layouts.values()].flat().flatMap((s) => [s.delivery.close(), s.callback.close()]));
    },
  };
}
