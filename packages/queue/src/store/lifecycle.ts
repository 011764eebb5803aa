import type { JobState } from 'bullmq';
import { deliveryJobId } from '@knocker/keys';
import { runScript, SCRIPTS } from '../scripts.js';
import type { Shard } from '../shards/shard-set.js';

/** A request's state as users see it; BullMQ's names mean little to them. */
export type RequestState = 'waiting' | 'delayed' | 'active' | 'delivered' | 'failed' | 'cancelled';

/** The failed reason of a cancelled request: it sits among the failed jobs, so Bull Board shows it too. */
export const CANCELLED_REASON = 'cancelled';

// A field of our own in BullMQ's job hash: it lives and is removed with the job.
const REPLAYS_FIELD = 'knockerReplays';

type Where = Pick<Shard, 'redis' | 'keys'>;

export function requestState(state: JobState | 'unknown', failedReason?: string | null): RequestState | undefined {
  switch (state) {
    case 'waiting': case 'prioritized': case 'waiting-children': return 'waiting';
    case 'delayed': return 'delayed';
    case 'active': return 'active';
    case 'completed': return 'delivered';
    case 'failed': return failedReason === CANCELLED_REASON ? 'cancelled' : 'failed';
    default: return undefined;
  }
}

/**
 * The state of a stored request, or undefined when there is none: two small reads, never the
 * job's data (a body may weigh a megabyte).
 */
export async function storedState(shard: Where & Pick<Shard, 'delivery'>, requestId: string): Promise<RequestState | undefined> {
  const jobId = deliveryJobId(requestId);
  const [state, failedReason] = await Promise.all([shard.delivery.getJobState(jobId), shard.redis.hget(shard.keys.job(jobId), 'failedReason')]);
  return requestState(state, failedReason);
}

export type CancelOutcome = 'cancelled' | 'unknown' | 'busy';

/** Cancels a waiting or delayed request. `busy`: a worker has it, or it is finished. */
export async function cancelDelivery({ redis, keys }: Where, requestId: string): Promise<CancelOutcome> {
  const jobId = deliveryJobId(requestId);
  const found = String(await runScript(redis, SCRIPTS.cancel,
    [keys.job(jobId), keys.wait, keys.paused, keys.delayed, keys.prioritized, keys.failed, keys.events, keys.orders, keys.orderChecks],
    [jobId, Date.now(), CANCELLED_REASON, keys.base]));
  return found === 'unknown' || found === 'busy' ? found : 'cancelled';
}

export type RemoveOutcome = 'removed' | 'unknown' | 'busy';

/**
 * Removes a finished request (its job, attempts and log lines), as RETAIN_* would, when it is
 * in one of `states`; `busy` when it is not. BullMQ's removal refuses a job a worker holds.
 */
export async function removeFinished(shard: Where & Pick<Shard, 'delivery'>, requestId: string, states: readonly RequestState[]): Promise<RemoveOutcome> {
  const state = await storedState(shard, requestId);
  if (state === undefined) return 'unknown';
  if (!states.includes(state)) return 'busy';
  return (await shard.delivery.remove(deliveryJobId(requestId))) === 1 ? 'removed' : 'busy';
}

export type ReplayOutcome = 'replayed' | 'unknown' | 'not-failed';

/** Runs a failed request again, with its original config and a full set of attempts. */
export async function replayDelivery(shard: Where & Pick<Shard, 'delivery'>, requestId: string): Promise<ReplayOutcome> {
  const jobId = deliveryJobId(requestId);
  const counted = Number(await runScript(shard.redis, SCRIPTS.beginReplay, [shard.keys.job(jobId), shard.keys.failed], [jobId, CANCELLED_REASON, REPLAYS_FIELD]));
  if (counted === -1) return 'unknown';
  if (counted < 0) return 'not-failed';
  const job = await shard.delivery.getJob(jobId);
  if (!job) return 'unknown';
  try {
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
  } catch (err) {
    // Another replay won the race; the count it skipped is harmless, numbers need only be unique.
    if ((await job.getState()) === 'failed') throw err;
    return 'not-failed';
  }
  return 'replayed';
}

/** How many times a request was replayed (0 for its first run); tells its runs' callbacks apart. */
export async function replaysOf({ redis, keys }: Where, requestId: string): Promise<number> {
  return Number(await redis.hget(keys.job(deliveryJobId(requestId)), REPLAYS_FIELD) ?? 0);
}

export interface LogLimits {
  maxLines: number;
  /** Bytes of log text, the time stamps Knocker puts before each line not counted. */
  maxBytes: number;
}

export type LogOutcome = { lines: number } | 'unknown' | 'too-many-lines' | 'too-large';

/**
 * Appends a line to a request's log: BullMQ's job log, so Bull Board shows it and it is
 * removed with the job. Each line starts with the time it was received.
 */
export async function appendRequestLog({ redis, keys }: Where, requestId: string, text: string, limits: LogLimits, now = new Date()): Promise<LogOutcome> {
  const stamp = `${now.toISOString()} `;
  const jobId = deliveryJobId(requestId);
  const n = Number(await runScript(redis, SCRIPTS.appendLog, [keys.job(jobId), keys.logs(jobId)], [stamp + text, limits.maxLines, limits.maxBytes, Buffer.byteLength(stamp)]));
  if (n === -1) return 'unknown';
  if (n === -2) return 'too-many-lines';
  if (n === -3) return 'too-large';
  return { lines: n };
}
