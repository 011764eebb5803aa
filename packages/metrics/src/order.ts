import { Gauge, Histogram, type Registry } from 'prom-client';

/** Order lines (Knocker-Order-Key) as one worker saw them. */
export interface OrderMetrics {
  /** From becoming the head of its line to leaving it: attempts, retries, delays and waits for a slot. */
  headSeconds: Histogram;
}

export function createOrderMetrics(registry: Registry): OrderMetrics {
  return {
    headSeconds: new Histogram({
      name: 'knocker_order_head_seconds', help: 'Time an ordered request spent at the head of its line, holding back the ones behind it',
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600], registers: [registry],
    }),
  };
}

export interface OrderSnapshot {
  /** Order keys with a line. */
  keys: number;
  /** The lines with most requests behind their head, at most as many as the reader was asked for. */
  busiest: Array<{ key: string; waiting: number }>;
}

/**
 * Gauges read from Redis at scrape time; `read` returns undefined in the processes that do not
 * publish them (one replica does). Only the busiest keys get a label: the set stays bounded.
 */
export function createOrderGauges(registry: Registry, read: () => Promise<OrderSnapshot | undefined>): void {
  let latest: Promise<OrderSnapshot | undefined> | undefined;
  const snapshot = () => {
    latest ??= read().finally(() => setImmediate(() => (latest = undefined)));
    return latest;
  };
  const waiting = new Gauge({
    name: 'knocker_order_waiting', help: 'Requests waiting behind the head of their order line, for the order keys with most waiting',
    labelNames: ['key'], registers: [registry],
    async collect() {
      const view = await snapshot();
      this.reset();
      for (const line of view?.busiest ?? []) this.set({ key: line.key }, line.waiting);
    },
  });
  const keys = new Gauge({
    name: 'knocker_order_keys', help: 'Order keys with requests in their line', registers: [registry],
    async collect() {
      const view = await snapshot();
      this.reset();
      if (view) this.set(view.keys);
    },
  });
  void [waiting, keys];
}
