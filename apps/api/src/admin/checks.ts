import type { HealthCheck } from '@knocker/health';
import type { RequestStore } from '@knocker/queue';
import { sharedRead } from './shared-read.js';

/**
 * `workers`: accepting requests nobody delivers is worth an alert, on any shard. Counting them
 * is a CLIENT LIST on every shard, which grows with the connections: however often health is
 * asked, it runs at most once a second.
 */
export function workersCheck(store: Pick<RequestStore, 'consumers'>, ttlMs?: number): HealthCheck {
  const read = sharedRead(() => store.consumers(), ttlMs);
  return {
    name: 'workers',
    path: 'workers',
    run: async () => {
      const shards = await read();
      const idle = shards.filter((s) => s.workers === 0);
      if (idle.length === shards.length) throw new Error('no worker is connected to the delivery queue');
      if (idle.length > 0) throw new Error(`no worker is connected to the delivery queue of shard ${idle.map((s) => s.label).join(', ')}`);
      const n = Math.min(...shards.map((s) => s.workers));
      return `${n} worker connection${n === 1 ? '' : 's'}${shards.length > 1 ? ` on each of ${shards.length} shards` : ''}`;
    },
  };
}
