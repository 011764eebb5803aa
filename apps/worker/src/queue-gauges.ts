import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Queue } from 'bullmq';
import type { QueueSnapshot } from '@knocker/metrics';
import type { Connection, Shard } from '@knocker/queue';

// Take the lease when free, renew it when ours: one replica publishes the queue gauges, and
// another takes over within `ttl` after it disappears.
const LEASE = `
local holder = redis.call('get', KEYS[1])
if holder == ARGV[1] or not holder then
  redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0`;

const STATES = ['waiting', 'active', 'delayed', 'completed', 'failed', 'prioritized'] as const;

/** True while this replica holds the lease named `key`: it alone publishes the gauges read from Redis. */
export function leaseHolder(opts: { redis: Connection; key: string; leaseMs: number }): () => Promise<boolean> {
  const me = `${hostname()}:${process.pid}:${randomUUID()}`;
  return async () => (await opts.redis.eval(LEASE, 1, opts.key, me, String(opts.leaseMs))) === 1;
}

/**
 * Reads the queues' counts for the gauges, but only in the replica holding the lease; the
 * others return undefined so Prometheus sees each queue once, however many workers run.
 * A queue's shards add up to one series: counts are summed, the oldest wait is the oldest
 * of any shard, and workers are those of the least served shard (0 if any has none).
 */
export function queueSnapshots(opts: { redis: Connection; prefix: string; shards: () => readonly Shard[]; leaseMs: number }) {
  const held = leaseHolder({ redis: opts.redis, key: `${opts.prefix}:metrics-publisher`, leaseMs: opts.leaseMs });
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
