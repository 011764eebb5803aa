import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { QueueSnapshot } from '@knocker/metrics';

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

/**
 * Reads the queues' counts for the gauges, but only in the replica holding the lease; the
 * others return undefined so Prometheus sees each queue once, however many workers run.
 */
export function queueSnapshots(opts: { redis: Redis; prefix: string; queues: readonly Queue[]; leaseMs: number }) {
  const me = `${hostname()}:${process.pid}:${randomUUID()}`;
  const key = `${opts.prefix}:metrics-publisher`;
  return async (): Promise<QueueSnapshot[] | undefined> => {
    const held = await opts.redis.eval(LEASE, 1, key, me, String(opts.leaseMs));
    if (held !== 1) return undefined;
    return Promise.all(opts.queues.map(async (queue) => {
      const [counts, oldest, workers] = await Promise.all([
        queue.getJobCounts(...STATES), queue.getJobs(['waiting'], 0, 0, true), queue.getWorkersCount(),
      ]);
      const since = oldest[0]?.timestamp;
      return { queue: queue.name, counts, oldestWaitingAgeSeconds: since ? Math.max(0, (Date.now() - since) / 1000) : 0, workers };
    }));
  };
}
