import { Queue, type JobsOptions, type KeepJobs } from 'bullmq';
import type { Redis } from 'ioredis';
import type { HeaderPair, KnockConfig } from '@knocker/protocol';

/** Renaming a queue strands every job stored under the old name: add a migration, not a rename. */
export const QUEUES = { delivery: 'deliveries', callback: 'callbacks' } as const;

/** Registered as the workers' backoff strategy; it reads the factor from the job. */
export const BACKOFF_TYPE = 'knocker';

export interface DeliveryJob {
  config: KnockConfig;
  method: string;
  url: string;
  headers: HeaderPair[];
  /** The body bytes, base64: job data is JSON and bodies may be binary. */
  body: string;
  acceptedAt: number;
}

/** What Knocker POSTs to `Knocker-Callback` when every attempt failed. */
export interface CallbackPayload {
  config: Omit<KnockConfig, 'callback'>;
  method: string;
  url: string;
  status_code: number;
  /** Set when Knocker itself ended the request: `address_refused` or `worker_lost`. */
  error?: string;
}

export interface CallbackJob {
  url: string;
  headers: HeaderPair[];
  payload: CallbackPayload;
  backoff_factor: number;
}

export interface Retention {
  completed: { count: number; age: number };
  failed: { count: number; age: number };
}

export interface Queues {
  delivery: Queue<DeliveryJob>;
  callback: Queue<CallbackJob>;
  close(): Promise<void>;
}

// A prefix keeps job ids apart from BullMQ's rules (no integers, no ':'), whatever ids callers choose.
export const deliveryJobId = (id: string): string => `req-${id}`;
export const callbackJobId = (id: string): string => `cb-${id}`;

function keep(retention: Retention): { removeOnComplete: KeepJobs; removeOnFail: KeepJobs } {
  return { removeOnComplete: { ...retention.completed }, removeOnFail: { ...retention.failed } };
}

export function deliveryJobOptions(config: KnockConfig, retention: Retention): JobsOptions {
  return { jobId: deliveryJobId(config.id), attempts: config.retries + 1, backoff: { type: BACKOFF_TYPE }, ...keep(retention) };
}

/** The callback is retried like the request it reports on. */
export function callbackJobOptions(config: KnockConfig, retention: Retention): JobsOptions {
  return { jobId: callbackJobId(config.id), attempts: config.retries + 1, backoff: { type: BACKOFF_TYPE }, ...keep(retention) };
}

export function createQueues(connection: Redis, prefix: string): Queues {
  const delivery = new Queue<DeliveryJob>(QUEUES.delivery, { connection, prefix });
  const callback = new Queue<CallbackJob>(QUEUES.callback, { connection, prefix });
  return {
    delivery,
    callback,
    async close() {
      await Promise.allSettled([delivery.close(), callback.close()]);
    },
  };
}
