export { QUEUES, deliveryJobId, callbackJobId, successCallbackJobId, shardPrefixes, shardIndexOf, slotOf, SLOTS, MAX_SHARDS } from '@knocker/keys';
export {
  deliveryJobOptions, callbackJobOptions, keepJobs, successCallbackJobOptions, BACKOFF_TYPE,
} from './queues.js';
export type {
  DeliveryJob, DeliveryResult, CallbackJob, FailureCallbackJob, SuccessCallbackJob, CallbackPayload, SuccessCallbackPayload, Retention, AttemptRecord,
} from './queues.js';
export { createQueues, shardRetention, shardHolding } from './sharded-queues.js';
export type { Queues, Shard } from './sharded-queues.js';
export { forgetLayout } from './layouts.js';
export { producerConnection, workerConnection } from './connection.js';
export type { Connection, ClusterTarget, RedisTarget } from './connection.js';
export { probeCluster } from './probe.js';
export { waitForReplicas, requireReplicas } from './replicas.js';
export { addDelivery } from './add.js';
export { runScript } from './scripts.js';
export type { Script } from './scripts.js';
export { createLease } from './lease.js';
export type { AddOutcome } from './add.js';
export { requestState, cancelDelivery, replayDelivery, replaysOf, appendRequestLog, CANCELLED_REASON } from './lifecycle.js';
export type { RequestState, ReplayOutcome, LogLimits, LogOutcome } from './lifecycle.js';
export { createSchedules, tickRequestId, tickDueMs, SCHEDULE_ID_MAX } from './schedules.js';
export type { Schedules, Schedule, StoredSchedule, ScheduleState, ScheduledRequest, TickJob, SaveOutcome } from './schedules.js';
export { QueueUnavailableError } from './errors.js';
