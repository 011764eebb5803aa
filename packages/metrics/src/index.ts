export { createRegistry } from './registry.js';
export { metricsRoute } from './route.js';
export { createHttpMetrics, observeHttp, startHttpObservation } from './http.js';
export type { HttpMetrics } from './http.js';
export { createDeliveryMetrics } from './delivery.js';
export type { DeliveryMetrics, DeliveryOutcome } from './delivery.js';
export { createQueueGauges } from './queue.js';
export type { QueueSnapshot } from './queue.js';
export type { Registry } from 'prom-client';
