import type { HealthCheck } from '@knocker/health';
import { sharedRead } from './shared-read.js';

type Consumed = { delivery: { getWorkersCount(): Promise<number> }; index: number; count: number };

/**
 * `workers`: accepting requests nobody delivers is worth an alert, on any shard. Counting them
 * is a CLIENT LIST on every shard, which grows with the connections: however often health is
 * asked, it runs at most once a second.
 */
export function workersCheck(shards: () => readonly Consumed[], ttlMs?: number): HealthCheck {
  const read = sharedRead(async () => {
    const all = shards();
    return { all, counts: await Promise.all(all.map((s) => s.delivery.getWorkersCount())) };
  }, ttlMs);
  return {
    name: 'workers',
    path: 'workers',
    run: async () => {
      const { all, counts } = await read();
      const idle = all.filter((_, i) => counts[i] === 0);
      if (idle.length === all.length) throw new Error('no worker is connected to the delivery queue');
      if (idle.length > 0) throw new Error(`no worker is connected to the delivery queue of shard ${idle.map((s) => `${s.index + 1}/${s.count}`).join(', ')}`);
      const n = Math.min(...counts);
      return `${n} worker connection${n === 1 ? '' : 's'}${all.length > 1 ? ` on each of ${all.length} shards` : ''}`;
    },
  };
}
