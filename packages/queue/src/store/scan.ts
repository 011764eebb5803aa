import { flowKeyOf, InvalidRequestError, targetKeyOf } from '@knocker/protocol';
import { attemptRecord } from '../attempts.js';
import type { AttemptRecord, DeliveryJob, DeliveryResult } from '../jobs.js';
import type { Shard } from '../shards/shard-set.js';
import { CANCELLED_REASON, type RequestState } from './lifecycle.js';

/** Which finished requests to list; every filter given must match. */
export interface RequestFilters {
  /** The target's host, or host:port. */
  host?: string | undefined;
  flowKey?: string | undefined;
  /** Ended at or after / at or before, ms since the epoch. */
  since: number;
  until: number;
  /** The status of the last attempt. */
  statusCode?: number | undefined;
}

/** The states a listing can walk: those kept in BullMQ's sets of finished jobs, by when they ended. */
export type ListedState = Extract<RequestState, 'failed' | 'cancelled' | 'delivered'>;

export interface ListedRequest {
  id: string;
  state: ListedState;
  /** Ms since the epoch. */
  endedAt: number;
  method: string;
  url: string;
  config: DeliveryJob['config'];
  /** The last attempt: the failed one of a failed request, the successful one of a delivered one. */
  lastAttempt: AttemptRecord | undefined;
}

/** Where a listing stopped: after this job, at this score, in this shard. */
export interface Position {
  prefix: string;
  score: number;
  jobId: string;
}

export type Bound = <T>(work: Promise<T>) => Promise<T>;
export type Match = { shard: Shard; request: ListedRequest; position: Position };
/** The scan stopped at its budget; `position` is the last job looked at, where a next scan resumes. */
export type OverBudget = { budget: true; position: Position | undefined };

const PAGE = 200;

/**
 * Finished requests in `state` that match, oldest first, shard after shard, from `after` on.
 * Ends with an OverBudget once `overBudget` says enough jobs were looked at. Jobs replayed or removed
 * meanwhile leave the set: each page starts again at the last score seen, and jobs seen are
 * skipped; a run of equal scores longer than a page is read on with an offset.
 */
export async function* scanFinished(
  shards: readonly Shard[], state: ListedState, f: RequestFilters, bound: Bound, overBudget: () => boolean, after?: Position,
): AsyncGenerator<Match | OverBudget> {
  let looked: Position | undefined;
  const start = after === undefined ? 0 : Math.max(0, shards.findIndex((s) => s.prefix === after.prefix));
  for (const shard of shards.slice(start)) {
    const resume = after !== undefined && shard.prefix === after.prefix ? after : undefined;
    const set = state === 'delivered' ? shard.keys.completed : shard.keys.failed;
    const seen = new Set<string>();
    let from = String(resume?.score ?? f.since);
    let offset = 0;
    for (;;) {
      const page = await bound(shard.redis.zrangebyscore(set, from, f.until, 'WITHSCORES', 'LIMIT', offset, PAGE));
      if (page.length === 0) break;
      let fresh = 0;
      let tied = true;
      for (let i = 0; i < page.length; i += 2) {
        const jobId = page[i]!;
        const score = page[i + 1]!;
        if (score !== from) tied = false;
        if (resume && Number(score) === resume.score && jobId <= resume.jobId) continue;
        if (seen.has(jobId)) continue;
        seen.add(jobId);
        fresh += 1;
        if (overBudget()) {
          yield { budget: true, position: looked };
          return;
        }
        const request = await listed(shard, jobId, Number(score), state, f, bound);
        looked = { prefix: shard.prefix, score: Number(score), jobId };
        if (request) yield { shard, request, position: looked };
      }
      const last = page[page.length - 1]!;
      if (fresh === 0 && !tied) break;
      if (fresh === 0 || last === from) offset = fresh === 0 ? offset + page.length / 2 : 0;
      else [from, offset] = [last, 0];
    }
  }
}

async function listed(shard: Shard, jobId: string, endedAt: number, state: ListedState, f: RequestFilters, bound: Bound): Promise<ListedRequest | undefined> {
  const [data, reason, returned] = await bound(shard.redis.hmget(shard.keys.job(jobId), 'data', 'failedReason', 'returnvalue'));
  if (data == null || (state !== 'delivered' && (reason === CANCELLED_REASON) !== (state === 'cancelled'))) return undefined;
  const job = JSON.parse(data) as DeliveryJob;
  const lastAttempt = state === 'delivered' ? (returned ? (JSON.parse(returned) as DeliveryResult | null)?.attempt : undefined)
    : attemptOf(job.attempts?.at(-1));
  if (f.host !== undefined && job.config.host !== f.host && targetKeyOf(job.config) !== f.host) return undefined;
  if (f.flowKey !== undefined && flowKeyOf(job.config) !== f.flowKey) return undefined;
  if (f.statusCode !== undefined && lastAttempt?.status_code !== f.statusCode) return undefined;
  return { id: job.config.id, state, endedAt, method: job.method, url: job.url, config: job.config, lastAttempt };
}

/** A position as the opaque cursor callers pass back. */
export function encodeCursor(p: Position): string {
  return Buffer.from(JSON.stringify([p.prefix, p.score, p.jobId])).toString('base64url');
}

/** The position a cursor names; a cursor this store did not give is the caller's mistake. */
export function decodeCursor(cursor: string): Position {
  try {
    const [prefix, score, jobId] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof prefix === 'string' && typeof score === 'number' && Number.isFinite(score) && typeof jobId === 'string') return { prefix, score, jobId };
  } catch {
    // Refused below, as any other cursor that is not one of ours.
  }
  throw new InvalidRequestError({ cursor: 'is not a cursor this Knocker gave: pass back the one a listing answered' });
}

const attemptOf = (s: Parameters<typeof attemptRecord>[0] | undefined) => (s === undefined ? undefined : attemptRecord(s));
