import type { Queue } from 'bullmq';
import type { QueueSnapshot } from '@knocker/metrics';
import { createLease, type Connection, type Shard } from '@knocker/queue';

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'] as const;

/**
 * Reads the queues' counts for the gauges, but only in the replica holding the lease; the
 * others return undefined so Prometheus sees each queue once, however many workers run.
 * A queue's shards add up to one series: counts are summed, the oldest wait is the oldest
 * of any shard, and workers are those of the least served shard (0 if any has none).
 */
export function queueSnapshots(opts: { redis: Connection; lease: string; shards: () => readonly Shard[]; leaseMs: number }) {
  const held = createLease(opts.redis, opts.lease, opts.leaseMs);
  return async (): Promise<QueueSnapshot[] | undefined> => {
    if (!(await held())) return undefined;
    const shards = opts.shards();
    return Promise.all([shards.map((s) => s.delivery), shards.map((s) => s.callback)].map(async (queues) => merge(await Promise.all(queues.map(snapshotOf)))));
  };
}

async function snapshotOf(queue: Queue): Promise<QueueSnapshot> {
  const [counts, oldest, workers] = await Promise.all([
    queue.getJobCounts(...STATES), queue.getJobs(['waiting'], 0, 0, true), queue.getWorkersCount(),
  ]);
  const since = oldest[0]?.timestamp;
  return { queue: queue.name, counts, oldestWaitingAgeSeconds: since ? Math.max(0, (Date.now() - since) / 1000) : 0, workers };
}

function merge(shards: QueueSnapshot[]): QueueSnapshot {
  const counts: Record<string, number> = {};
  for (const s of shards) for (const [state, n] of Object.entries(s.counts)) counts[state] = (counts[state] ?? 0) + n;
  return {
    queue: shards[0]!.queue,
    counts,
    oldestWaitingAgeSeconds: Math.max(...shards.map((s) => s.oldestWaitingAgeSeconds)),
    workers: Math.min(...shards.map((s) => s.workers)),
  };
}
