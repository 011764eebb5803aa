import type { Queue } from 'bullmq';
import type { Shard } from '../shards/shard-set.js';

/** Jobs by BullMQ state, summed over every shard, and the requests finished since the queues began. */
export interface StoreCounts {
  requests: Record<string, number>;
  callbacks: Record<string, number>;
  delivered: number;
  failed: number;
}

/** What the status page shows: four reads per shard. */
export async function readCounts(shards: readonly Shard[]): Promise<StoreCounts> {
  const perShard = await Promise.all(shards.map(({ delivery, callback }) => Promise.all([
    delivery.getJobCounts(), callback.getJobCounts(), delivery.getMetrics('completed', 0, 0), delivery.getMetrics('failed', 0, 0),
  ])));
  return {
    requests: sumCounts(perShard.map((s) => s[0])),
    callbacks: sumCounts(perShard.map((s) => s[1])),
    delivered: sum(perShard.map((s) => s[2].meta.count)),
    failed: sum(perShard.map((s) => s[3].meta.count)),
  };
}

/** One queue (deliveries or callbacks) as the gauges show it. */
export interface QueueStats {
  queue: string;
  counts: Record<string, number>;
  /** Seconds since the oldest waiting job was added; 0 when none waits. */
  oldestWaitingAgeSeconds: number;
  workers: number;
}

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'] as const;

/**
 * Each queue's shards add up to one series: counts are summed, the oldest wait is the oldest
 * of any shard, and workers are those of the least served shard (0 if any has none).
 */
export async function readStats(shards: readonly Shard[]): Promise<QueueStats[]> {
  return Promise.all([shards.map((s) => s.delivery), shards.map((s) => s.callback)].map(async (queues) => merge(await Promise.all(queues.map(statsOf)))));
}

async function statsOf(queue: Queue): Promise<QueueStats> {
  const [counts, oldest, workers] = await Promise.all([
    queue.getJobCounts(...STATES), queue.getJobs(['waiting'], 0, 0, true), queue.getWorkersCount(),
  ]);
  const since = oldest[0]?.timestamp;
  return { queue: queue.name, counts, oldestWaitingAgeSeconds: since ? Math.max(0, (Date.now() - since) / 1000) : 0, workers };
}

function merge(shards: QueueStats[]): QueueStats {
  return {
    queue: shards[0]!.queue,
    counts: sumCounts(shards.map((s) => s.counts)),
    oldestWaitingAgeSeconds: Math.max(...shards.map((s) => s.oldestWaitingAgeSeconds)),
    workers: Math.min(...shards.map((s) => s.workers)),
  };
}

const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);

function sumCounts(counts: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of counts) for (const [state, n] of Object.entries(c)) out[state] = (out[state] ?? 0) + n;
  return out;
}
