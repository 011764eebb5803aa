export { QUEUES, deliveryJobId, callbackJobId, deliveryJobOptions, callbackJobOptions, createQueues, BACKOFF_TYPE } from './queues.js';
export type { Queues, DeliveryJob, CallbackJob, CallbackPayload, Retention } from './queues.js';
export { producerConnection, workerConnection } from './connection.js';
