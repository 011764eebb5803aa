import type { JobsOptions, KeepJobs } from 'bullmq';
import type { Retention } from '@knocker/config';
import { callbackJobId, deliveryJobId, successCallbackJobId } from '@knocker/keys';
import type { HeaderPair, KnockConfig } from '@knocker/protocol';
import type { StoredAttempt } from './attempts.js';

// The jobs the queues hold, and how they are added: what the api stores is what the workers read.

/** Registered as the workers' backoff strategy; it reads the factor from the job. */
export const BACKOFF_TYPE = 'knocker';

/** One call to the target, as the inspection route shows it. */
export interface AttemptRecord {
  /** 1 for the first attempt of a run; a replay starts again at 1. */
  attempt: number;
  started_at: string;
  duration_ms: number;
  /** The HTTP status, or Knocker's code for a call that got none (502, 503, 504, 999). */
  status_code: number;
  /** Why the attempt failed, in Knocker's words; null when it succeeded. */
  error: string | null;
  /** What the target reported in Knocker-Error-Code and Knocker-Error-Message. */
  error_code: string | null;
  error_message: string | null;
}

export interface DeliveryJob {
  config: KnockConfig;
  method: string;
  url: string;
  headers: HeaderPair[];
  /** The body bytes, base64: job data is JSON and bodies may be binary. */
  body: string;
  acceptedAt: number;
  /** Ms since the epoch before which no attempt starts (Knocker-Delay, Knocker-Not-Before). */
  notBefore?: number;
  /** Knocker-Order-Key: delivered one at a time, in the order accepted, with the other requests of this key. */
  orderKey?: string;
  /** The schedule whose tick this request is. */
  schedule?: string;
  /** The group (Knocker-Group) this request is the copy of for one endpoint. */
  group?: string;
  /**
   * Every failed attempt so far, replays included (a successful one is in the DeliveryResult);
   * jobs stored by older versions hold keyed records.
   */
  attempts?: Array<StoredAttempt | AttemptRecord>;
  /** With tracing on: the W3C traceparent of the span that stored the request (the api's, a tick's); its attempts are its children. */
  trace?: string;
  /** Set when the request came through the QStash door: delivery then adds QStash's headers, signature and callback bodies. */
  qstash?: QstashTraits;
}

/** What QStash's delivery adds to a request, beyond Knocker's model (packages/qstash reads and writes it). */
export interface QstashTraits {
  /** `Upstash-Label`, kept for the message's answers. */
  labels?: string[];
  /** `Upstash-Retry-Delay`: the wait before each retry, an expression over `retried`, read again at each failed attempt. */
  retryDelay?: string;
  /** `Upstash-Callback-Method`, `-Timeout` and `-Forward-*`; and the failure callback's. */
  callback?: QstashCallbackSettings;
  failureCallback?: QstashCallbackSettings;
  /**
   * `Upstash-Flow-Control-Key` was given: the message passes flow control even when no
   * flow-control variable is set, with the limits of `Upstash-Flow-Control-Value` (period in
   * seconds), which become its key's again should the key's own lapse.
   */
  flow?: { parallelism?: number; rate?: number; period?: number };
}

/** How a QStash callback is sent, where the publish said so; otherwise POST, the message's timeout and retries, at once. */
export interface QstashCallbackSettings {
  method?: string;
  /** Seconds. */
  timeout?: number;
  headers?: HeaderPair[];
  /** Retries after its first attempt, in place of the message's. */
  retries?: number;
  /** Seconds before its first attempt. */
  delay?: number;
  /** `Upstash-Retry-Delay`'s expression, for the callback's retries. */
  retryDelay?: string;
}

/** What a delivered request's job returns; BullMQ stores it in the same step that completes the job. */
export interface DeliveryResult {
  status_code: number;
  attempts: number;
  /**
   * The successful attempt. Failed attempts are written to the job data as they happen; the
   * last one rides here instead, which spares the common case a write of its own.
   */
  attempt: AttemptRecord;
}

/** What Knocker POSTs to `Knocker-Callback` when every attempt failed. */
export interface CallbackPayload {
  config: Omit<KnockConfig, 'callback'>;
  method: string;
  url: string;
  status_code: number;
  /**
   * Set when the request ended before its attempts were spent: `address_refused` or
   * `worker_lost` (Knocker's doing), `no_retry` or `outside_retry_on` (the receiver's); or when
   * the last attempt failed getting a token (`token_unavailable`) or on a certificate (its code).
   */
  error?: string;
  /** Attempts made in the run that failed. */
  attempts: number;
  /** Present when the last attempt's answer reported an error. */
  error_code?: string;
  error_message?: string | null;
}

/** What Knocker POSTs to `Knocker-Success-Callback` once the request is delivered. */
export interface SuccessCallbackPayload {
  id: string;
  url: string;
  method: string;
  status_code: number;
  /** Attempts made in the run that succeeded. */
  attempts: number;
  /** Of the successful attempt. */
  duration_ms: number;
  /** The answer's headers, names in lower case, repeats kept. */
  headers: HeaderPair[];
  /** The answer's body, base64, at most SUCCESS_CALLBACK_MAX_BODY bytes of it. */
  body: string;
  body_truncated: boolean;
}

/** Every kind goes through the callback queue and its processor: same retries, same address policy. */
export type CallbackJob = FailureCallbackJob | SuccessCallbackJob | QstashCallbackJob;

/** A QStash callback or failure callback: QStash's body, signed with its JWT like a delivery. */
export interface QstashCallbackJob {
  kind: 'qstash';
  /** The message the callback reports on. */
  id: string;
  url: string;
  headers: HeaderPair[];
  payload: Record<string, unknown>;
  /** POST when absent. */
  method?: string;
  /** The wait before each retry as `Upstash-Callback-Retry-Delay` gave it; Knocker's backoff when absent. */
  retryDelay?: string;
  backoff_factor: number;
  timeout: number;
  /** With tracing on: the traceparent of the attempt that settled the request. */
  trace?: string;
}

export interface FailureCallbackJob {
  kind?: undefined;
  url: string;
  headers: HeaderPair[];
  payload: CallbackPayload;
  backoff_factor: number;
  /** With tracing on: the traceparent of the attempt that settled the request. */
  trace?: string;
}

export interface SuccessCallbackJob {
  kind: 'success';
  url: string;
  headers: HeaderPair[];
  payload: SuccessCallbackPayload;
  backoff_factor: number;
  /** The request's Knocker-Timeout, seconds: the failure callback reads it from its payload's config. */
  timeout: number;
  /** With tracing on: the traceparent of the attempt that settled the request. */
  trace?: string;
}

/**
 * RETAIN_*_COUNT is what the whole deployment keeps: each queue trims only its own jobs, so
 * each shard keeps its share. Ages apply to each job as they are.
 */
export function shardRetention(retention: Retention, shards: number): Retention {
  const share = (n: number) => (n === 0 ? 0 : Math.ceil(n / shards));
  return {
    completed: { ...retention.completed, count: share(retention.completed.count) },
    failed: { ...retention.failed, count: share(retention.failed.count) },
  };
}

/**
 * RETAIN_* as BullMQ's workers apply it to every job they finish. Kept in the workers' options
 * rather than in each job's: the same 90 bytes of options in every waiting job's hash would be
 * an eighth of a small request's memory in Redis.
 */
export function keepJobs(retention: Retention): { removeOnComplete: KeepJobs; removeOnFail: KeepJobs } {
  return { removeOnComplete: { ...retention.completed }, removeOnFail: { ...retention.failed } };
}

/** How long to keep it is the workers' business: see `keepJobs`. */
export function deliveryJobOptions(config: KnockConfig): JobsOptions & { jobId: string } {
  return { jobId: deliveryJobId(config.id), attempts: config.retries + 1, backoff: { type: BACKOFF_TYPE } };
}

/** The callback is retried like the request it reports on. */
export function callbackJobOptions(config: KnockConfig, replays = 0): JobsOptions {
  return { jobId: callbackJobId(config.id, replays), attempts: config.retries + 1, backoff: { type: BACKOFF_TYPE } };
}

/** Retried like the failure callback; its own id, so the two never collide. */
export function successCallbackJobOptions(config: KnockConfig): JobsOptions {
  return { ...callbackJobOptions(config), jobId: successCallbackJobId(config.id) };
}
