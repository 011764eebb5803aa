export { QUEUES, deliveryJobId, callbackJobId, deliveryJobOptions, callbackJobOptions, createQueues, BACKOFF_TYPE } from './queues.js';
export type { Queues, DeliveryJob, DeliveryResult, CallbackJob, CallbackPayload, Retention, AttemptRecord } from './queues.js';
export { producerConnection, workerConnection } from './connection.js';
export { addDelivery } from './add.js';
export type { AddOutcome } from './add.js';
export { requestState, cancelDelivery, replayDelivery, replaysOf, appendRequestLog, CANCELLED_REASON } from './lifecycle.js';
export type { RequestState, ReplayOutcome, LogLimits, LogOutcome } from './lifecycle.js';
