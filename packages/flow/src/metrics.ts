import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { KeyView } from './store.js';

/** What one worker process saw of flow control. */
export interface FlowMetrics {
  slotWait: Histogram;
  parked: Counter<'reason'>;
  breakerChanges: Counter<'state'>;
}

export function createFlowMetrics(registry: Registry): FlowMetrics {
  const metrics: FlowMetrics = {
    slotWait: new Histogram({
      name: 'knocker_flow_slot_wait_seconds', help: 'Time a delivery waited in line for a slot of its flow key',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600], registers: [registry],
    }),
    parked: new Counter({
      name: 'knocker_flow_parked_total', help: 'Deliveries put to wait by flow control, by reason (queued, concurrency, rate, paused, breaker)',
      labelNames: ['reason'], registers: [registry],
    }),
    breakerChanges: new Counter({
      name: 'knocker_flow_breaker_changes_total', help: 'Circuit breaker state changes seen by this worker, by new state (open, closed)',
      labelNames: ['state'], registers: [registry],
    }),
  };
  // Served at 0 from the start, so rate() and increase() see the first change.
  for (const reason of ['queued', 'concurrency', 'rate', 'paused', 'breaker']) metrics.parked.inc({ reason }, 0);
  for (const state of ['open', 'closed']) metrics.breakerChanges.inc({ state }, 0);
  return metrics;
}

/** How many keys the per-key gauges show: the busiest ones, so the label set stays bounded. */
export const TOP_KEYS = 10;

/**
 * Gauges read from Redis at scrape time. `read` returns undefined in the processes that do
 * not publish them (one replica does), so sums over replicas stay right.
 */
export function createFlowGauges(registry: Registry, read: () => Promise<KeyView[] | undefined>): void {
  let latest: Promise<KeyView[] | undefined> | undefined;
  const snapshot = () => {
    latest ??= read().finally(() => setImmediate(() => (latest = undefined)));
    return latest;
  };
  const busiest = (views: KeyView[]) => [...views].sort((a, b) => b.waiting - a.waiting || b.in_flight - a.in_flight).slice(0, TOP_KEYS);
  const perKey = (name: string, help: string, value: (v: KeyView) => number) => new Gauge({
    name, help, labelNames: ['key'], registers: [registry],
    async collect() {
      this.reset();
      for (const v of busiest((await snapshot()) ?? [])) this.set({ key: v.key }, value(v));
    },
  });
  const count = (name: string, help: string, which: (v: KeyView) => boolean) => new Gauge({
    name, help, registers: [registry],
    async collect() {
      const views = await snapshot();
      this.reset();
      if (views) this.set(views.filter(which).length);
    },
  });
  perKey('knocker_flow_waiting', `Deliveries waiting for a slot, for the ${TOP_KEYS} flow keys with most waiting`, (v) => v.waiting);
  perKey('knocker_flow_in_flight', `Attempts holding a slot, for the ${TOP_KEYS} flow keys with most waiting`, (v) => v.in_flight);
  count('knocker_flow_breakers_open', 'Flow keys whose circuit breaker is open or half-open', (v) => v.breaker.state !== 'closed');
  count('knocker_flow_keys_paused', 'Flow keys paused by an operator', (v) => v.paused);
}
