import { Gauge, type Registry } from 'prom-client';

export interface QueueSnapshot {
  queue: string;
  counts: Record<string, number>;
  /** Seconds since the oldest waiting job was added; 0 when none waits. */
  oldestWaitingAgeSeconds: number;
  workers: number;
}

/**
 * Queue-wide gauges, read from Redis at scrape time. `read` returns undefined when this
 * process should not publish them (another replica does), so a sum over replicas stays right.
 */
export function createQueueGauges(registry: Registry, read: () => Promise<QueueSnapshot[] | undefined>): void {
  let latest: Promise<QueueSnapshot[] | undefined> | undefined;
  // One Redis read per scrape, shared by the three gauges' collect calls.
  const snapshot = () => {
    latest ??= read().finally(() => setImmediate(() => (latest = undefined)));
    return latest;
  };
  const jobs = new Gauge({ name: 'knocker_queue_jobs', help: 'Jobs in each queue by state', labelNames: ['queue', 'state'], registers: [registry],
    async collect() {
      this.reset();
      for (const q of (await snapshot()) ?? []) for (const [state, n] of Object.entries(q.counts)) this.set({ queue: q.queue, state }, n);
    } });
  const age = new Gauge({ name: 'knocker_queue_oldest_waiting_age_seconds', help: 'Age of the oldest job waiting for a worker', labelNames: ['queue'], registers: [registry],
    async collect() {
      this.reset();
      for (const q of (await snapshot()) ?? []) this.set({ queue: q.queue }, q.oldestWaitingAgeSeconds);
    } });
  const workers = new Gauge({ name: 'knocker_queue_workers', help: 'Worker connections consuming each queue', labelNames: ['queue'], registers: [registry],
    async collect() {
      this.reset();
      for (const q of (await snapshot()) ?? []) this.set({ queue: q.queue }, q.workers);
    } });
  void [jobs, age, workers];
}
