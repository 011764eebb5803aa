export { producerConnection, workerConnection } from './connection.js';
export type { Connection, ClusterTarget, SentinelTarget, RedisTarget } from './connection.js';
export { probeCluster } from './probe.js';
export { createRequestStore } from './store/store.js';
export type { RequestStore, StoreOptions, StoreLog, ListQuery, ListPage, BoardQueue } from './store/request-store.js';
export type { AddOutcome } from './store/add.js';
export type { CopiesOutcome } from './store/add-copies.js';
export type { Groups, StoredGroup, GroupBounds, EndpointOutcome } from './groups.js';
export type { OrderLine, OrderSummary } from './store/order.js';
export { qstashQueueOrderKey, qstashQueueOf } from './qstash-queues.js';
export type { QstashQueues, StoredQstashQueue, QueueSaveOutcome } from './qstash-queues.js';
export type { Inspection, CallbackProgress, StoredRequest } from './store/inspect.js';
export type { RequestState, CancelOutcome, RemoveOutcome, ReplayOutcome, LogLimits, LogOutcome } from './store/lifecycle.js';
export type { RequestFilters, ListedRequest, ListedState } from './store/scan.js';
export type { StoreCounts, QueueStats } from './store/counts.js';
export type { JobContext, Processors, ConsumerSettings, Consumers } from './store/consumers.js';
export { deliveryJobOptions, callbackJobOptions, successCallbackJobOptions } from './jobs.js';
export { storedAttempt, attemptRecord } from './attempts.js';
export type { StoredAttempt } from './attempts.js';
export type {
  DeliveryJob, DeliveryResult, CallbackJob, FailureCallbackJob, SuccessCallbackJob, CallbackPayload, SuccessCallbackPayload, AttemptRecord, QstashTraits, QstashCallbackSettings, QstashCallbackJob,
} from './jobs.js';
export { createSchedules, tickRequestId, tickDueMs, SCHEDULE_ID_MAX } from './schedules.js';
export type { Schedules, Schedule, StoredSchedule, ScheduleState, ScheduledRequest, TickJob, SaveOutcome } from './schedules.js';
export { createLease } from './lease.js';
export { QueueUnavailableError, OrderLineFullError } from './errors.js';
export { withinDeadline } from './deadline.js';
export { defineScripts, runScript } from './scripts.js';
export type { Script } from './scripts.js';
