import { Queue } from 'bullmq';
import type { Connection } from './connection.js';
import { knownLayouts, registerLayout } from './layouts.js';
import { deliveryJobId, QUEUES, queueKeys, shardIndexOf, shardPrefixes } from '@knocker/keys';
import type { CallbackJob, DeliveryJob, Retention } from './queues.js';

/** One shard: a delivery queue and a callback queue under one hash tag, so on one master. */
export interface Shard {
  /** Its place in its layout, and the layout's shard count. */
  index: number;
  count: number;
  prefix: string;
  delivery: Queue<DeliveryJob>;
  callback: Queue<CallbackJob>;
  /** The connection the queues use, for the scripts of the request lifecycle. */
  redis: Connection;
}

export interface Queues {
  /** The QUEUE_SHARDS shards new requests go to. */
  readonly current: readonly Shard[];
  /** Every shard that may hold work: the current ones and those of other layouts still in Redis. */
  readonly all: readonly Shard[];
  /** The shard a new request with this id goes to. */
  forId(id: string): Shard;
  /** Where a stored request with this id can be: its current shard first, then its shard in each older layout. */
  candidatesFor(id: string): readonly Shard[];
  /**
   * Records this layout and re-reads the others; resolves to the shards it never reported
   * before. A layout forgotten and registered again brings back the shards it had: not new.
   */
  refresh(): Promise<readonly Shard[]>;
  /** The first current shard: the only one when QUEUE_SHARDS is 1. */
  delivery: Queue<DeliveryJob>;
  callback: Queue<CallbackJob>;
  redis: Connection;
  close(): Promise<void>;
}

/**
 * The queues of QUEUE_SHARDS shards on one connection (a Redis or a Cluster, which routes
 * each shard to its master). Until `refresh` finds other layouts, only the current one is used.
 */
export function createQueues(connection: Connection, prefix: string, shards = 1): Queues {
  const layouts = new Map<number, readonly Shard[]>();
  const layout = (count: number): readonly Shard[] => {
    let found = layouts.get(count);
    if (!found) {
      found = shardPrefixes(prefix, count).map((p, index) => ({
        index,
        count,
        prefix: p,
        delivery: new Queue<DeliveryJob>(QUEUES.delivery, { connection, prefix: p }),
        callback: new Queue<CallbackJob>(QUEUES.callback, { connection, prefix: p }),
        redis: connection,
      }));
      layouts.set(count, found);
    }
    return found;
  };
  const current = layout(shards);
  const first = current[0]!;
  let others: ReadonlyArray<readonly Shard[]> = [];
  let all: readonly Shard[] = current;
  // Every shard ever in `all`: the workers consuming one go on with it whatever the registry says.
  const reported = new Set<Shard>(current);
  return {
    current,
    get all() {
      return all;
    },
    forId: (id) => current[shardIndexOf(id, shards)]!,
    candidatesFor(id) {
      const mine = current[shardIndexOf(id, shards)]!;
      if (others.length === 0) return [mine];
      return [mine, ...others.map((l) => l[shardIndexOf(id, l.length)]!)];
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
    delivery: first.delivery,
    callback: first.callback,
    redis: connection,
    async close() {
      await Promise.allSettled([...layouts.values()].flat().flatMap((s) => [s.delivery.close(), s.callback.close()]));
    },
  };
}

/**
 * RETAIN_*_COUNT is what the whole deployment keeps: each queue trims only its own jobs, so
 * each shard keeps its share. Ages apply to each job as they are.
 */
export function shardRetention(retention: Retention, shards: number): Retention {
  const share = (n: number) => (n === 0 ? 0 : Math.ceil(n / shards));
  return {
    completed: { ...retention.completed, count: share(retention.completed.count) },
    failed: { ...retention.failed, count: share(retention.failed.count) },
  };
}

/**
 * The shard holding the stored request with this id: with one layout, its shard, at no
 * cost; after a change of QUEUE_SHARDS, the first of its candidate shards that has it.
 */
export async function shardHolding(queues: Pick<Queues, 'candidatesFor'>, id: string): Promise<Shard> {
  const candidates = queues.candidatesFor(id);
  if (candidates.length > 1) {
    const jobId = deliveryJobId(id);
    for (const shard of candidates) if ((await shard.redis.exists(queueKeys(shard.prefix, QUEUES.delivery).job(jobId))) === 1) return shard;
  }
  return candidates[0]!;
}
