import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type DeliveryOutcome = 'delivered' | 'retried' | 'failed';

/** What one worker process did; every replica publishes its own. */
export interface DeliveryMetrics {
  deliveries: Counter<'outcome' | 'code'>;
  attemptDuration: Histogram<'outcome'>;
  inFlight: Gauge;
  callbacks: Counter<'outcome'>;
  endToEnd: Histogram;
}

export function createDeliveryMetrics(registry: Registry): DeliveryMetrics {
  return {
    deliveries: new Counter({
      name: 'knocker_delivery_attempts_total',
      help: 'Delivery attempts by outcome (delivered, retried, failed: no attempts left) and HTTP status or Knocker code',
      labelNames: ['outcome', 'code'], registers: [registry],
    }),
    attemptDuration: new Histogram({
      name: 'knocker_delivery_attempt_duration_seconds', help: 'Duration of one delivery attempt, by outcome',
      labelNames: ['outcome'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [registry],
    }),
    inFlight: new Gauge({ name: 'knocker_deliveries_in_flight', help: 'Delivery attempts under way in this process', registers: [registry] }),
    callbacks: new Counter({
      name: 'knocker_callback_attempts_total', help: 'Failure-callback attempts by outcome (delivered, retried, failed)',
      labelNames: ['outcome'], registers: [registry],
    }),
    endToEnd: new Histogram({
      name: 'knocker_delivery_latency_seconds', help: 'Time from acceptance by the api to successful delivery, retries included',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600], registers: [registry],
    }),
  };
}
