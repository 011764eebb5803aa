import type { Queue } from 'bullmq';
import { callbackJobId, deliveryJobId, successCallbackJobId } from '@knocker/keys';
import { attemptRecord } from '../attempts.js';
import type { AttemptRecord, CallbackJob, DeliveryJob, DeliveryResult } from '../jobs.js';
import type { Shard } from '../shards/shard-set.js';
import { replaysOf, requestState, type RequestState } from './lifecycle.js';

type CallbackState = 'none' | 'pending' | 'sent' | 'failed';
export interface CallbackProgress {
  url: string;
  state: CallbackState;
  attempts: number;
}

/** A stored request as the inspection route shows it. */
export interface Inspection {
  id: string;
  state: RequestState;
  method: string;
  url: string;
  config: DeliveryJob['config'];
  created_at: string;
  not_before?: string;
  /** The group (Knocker-Group) this request is a copy for. */
  group?: string;
  replays: number;
  attempts: AttemptRecord[];
  logs: string[];
  callback: CallbackProgress | null;
  success_callback?: CallbackProgress;
  /** Only when asked for: what the request carries, for the QStash door's answers. */
  request?: StoredRequest;
}

/**
 * What a request was given to carry beyond its inspection, read from its job as stored: no
 * byte is added for it, and its body is within MAX_BODY_SIZE.
 */
export type StoredRequest = Pick<DeliveryJob, 'headers' | 'body' | 'acceptedAt' | 'notBefore' | 'orderKey' | 'schedule' | 'group' | 'qstash'>;

/**
 * Everything known about a stored request, or undefined once it is gone (never accepted, or
 * removed after RETAIN_*: its attempts and log lines go with it).
 */
export async function readInspection(shard: Shard, id: string, withRequest = false): Promise<Inspection | undefined> {
  const jobId = deliveryJobId(id);
  // The state before the job: read the other way round, a job read while active and a state read
  // once it completed would show a delivered request without its successful attempt.
  const bullState = await shard.delivery.getJobState(jobId);
  const [job, logs, replays] = await Promise.all([shard.delivery.getJob(jobId), shard.delivery.getJobLogs(jobId), replaysOf(shard, id)]);
  if (!job) return undefined;
  const state = requestState(bullState, job.failedReason);
  if (state === undefined) return undefined;
  const { config, method, url, attempts = [] } = job.data;
  const delivered = state === 'delivered' ? (job.returnvalue as DeliveryResult | null)?.attempt : undefined;
  return {
    id,
    state,
    method,
    url,
    config,
    created_at: new Date(job.timestamp).toISOString(),
    ...(job.data.notBefore !== undefined && { not_before: new Date(job.data.notBefore).toISOString() }),
    ...(job.data.group !== undefined && { group: job.data.group }),
    replays,
    attempts: [...attempts.map(attemptRecord), ...(delivered ? [delivered] : [])],
    logs: logs.logs,
    callback: config.callback ? { url: config.callback, ...(await callbackOf(shard.callback, callbackJobId(id, replays))) } : null,
    ...(config.success_callback !== undefined && {
      success_callback: { url: config.success_callback, ...(await callbackOf(shard.callback, successCallbackJobId(id))) },
    }),
    ...(withRequest && { request: storedOf(job.data) }),
  };
}

/** The request's carried parts alone, or undefined once it is gone. */
export async function readStored(shard: Shard, id: string): Promise<StoredRequest | undefined> {
  const job = await shard.delivery.getJob(deliveryJobId(id));
  return job ? storedOf(job.data) : undefined;
}

function storedOf(d: DeliveryJob): StoredRequest {
  return {
    headers: d.headers, body: d.body, acceptedAt: d.acceptedAt,
    ...(d.notBefore !== undefined && { notBefore: d.notBefore }),
    ...(d.orderKey !== undefined && { orderKey: d.orderKey }),
    ...(d.schedule !== undefined && { schedule: d.schedule }),
    ...(d.group !== undefined && { group: d.group }),
    ...(d.qstash !== undefined && { qstash: d.qstash }),
  };
}

/** A callback job of the request: its failure callback (for the current run) or its success callback. */
async function callbackOf(callbacks: Queue<CallbackJob>, jobId: string): Promise<{ state: CallbackState; attempts: number }> {
  const job = await callbacks.getJob(jobId);
  if (!job) return { state: 'none', attempts: 0 };
  const state = await job.getState();
  return { state: state === 'completed' ? 'sent' : state === 'failed' ? 'failed' : 'pending', attempts: job.attemptsMade };
}

/**
 * A request's state and when it was accepted (ms since the epoch), as a schedule lists its
 * ticks; the state is undefined when the job went as it was read.
 */
export async function readBrief(shard: Shard, id: string): Promise<{ state: RequestState | undefined; acceptedAt: number } | undefined> {
  const job = await shard.delivery.getJob(deliveryJobId(id));
  return job ? { state: requestState(await job.getState(), job.failedReason), acceptedAt: job.data.acceptedAt } : undefined;
}
