import type { HealthCheck } from '@knocker/health';

type Consumed = { delivery: { getWorkersCount(): Promise<number> }; index: number; count: number };

/** `workers`: accepting requests nobody delivers is worth an alert, on any shard. */
export function workersCheck(shards: () => readonly Consumed[]): HealthCheck {
  return {
    name: 'workers',
    path: 'workers',
    run: async () => {
      const all = shards();
      const counts = await Promise.all(all.map((s) => s.delivery.getWorkersCount()));
      const idle = all.filter((_, i) => counts[i] === 0);
      if (idle.length === all.length) throw new Error('no worker is connected to the delivery queue');
      if (idle.length > 0) throw new Error(`no worker is connected to the delivery queue of shard ${idle.map((s) => `${s.index + 1}/${s.count}`).join(', ')}`);
      const n = Math.min(...counts);
      return `${n} worker connection${n === 1 ? '' : 's'}${all.length > 1 ? ` on each of ${all.length} shards` : ''}`;
    },
  };
}
