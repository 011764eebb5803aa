import type { HealthCheck } from '@knocker/health';

/** `workers`: accepting requests nobody delivers is worth an alert. */
export function workersCheck(queue: { getWorkersCount(): Promise<number> }): HealthCheck {
  return {
    name: 'workers',
    path: 'workers',
    run: async () => {
      const n = await queue.getWorkersCount();
      if (n === 0) throw new Error('no worker is connected to the delivery queue');
      return `${n} worker connection${n === 1 ? '' : 's'}`;
    },
  };
}
