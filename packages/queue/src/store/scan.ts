import { flowKeyOf, targetKeyOf } from '@knocker/protocol';
import { attemptRecord } from '../attempts.js';
import type { AttemptRecord, DeliveryJob } from '../jobs.js';
import type { Shard } from '../shards/shard-set.js';
import { CANCELLED_REASON, type RequestState } from './lifecycle.js';
import { CHUNK_MAX, ShardReader, type Entry, type ShardPosition, type Walk } from './shard-reader.js';

/** Which requests to list; every filter given must match. */
export interface RequestFilters {
  /** The target's host, or host:port. */
  host?: string | undefined;
  flowKey?: string | undefined;
  /** Ms since the epoch, both inclusive: when it ended (failed, delivered), was due (delayed) or was accepted (waiting). */
  since: number;
  until: number;
  /** The status of the last attempt. */
  statusCode?: number | undefined;
  /** The fan-out group the request was sent to, and its order key. */
  group?: string | undefined;
  orderKey?: string | undefined;
  /** Any further test, run on each request the others let through (the QStash door's filters). */
  match?: ((r: ListedRequest) => boolean) | undefined;
}

/** The states a listing can walk: BullMQ's sets of finished and delayed jobs, and its waiting list. */
export type ListedState = Extract<RequestState, 'failed' | 'cancelled' | 'delivered' | 'waiting' | 'delayed'>;

export interface ListedRequest {
  id: string;
  state: ListedState;
  method: string;
  url: string;
  config: DeliveryJob['config'];
  acceptedAt: number;
  /** Finished requests: when they ended. Delayed ones: when they are due. Ms since the epoch. */
  endedAt?: number;
  dueAt?: number;
  /** The last attempt: the failed one of a failed request, the successful one of a delivered one. */
  lastAttempt: AttemptRecord | undefined;
  group?: string;
  orderKey?: string;
  /** The schedule whose tick it is, and a QStash message's labels. */
  schedule?: string;
  labels?: string[];
}

/** Where a walk stopped: the score of the last entry looked at, and each shard's last one. */
export interface ScanPosition {
  last: string | undefined;
  shards: Readonly<Record<string, ShardPosition>>;
}

export type Bound = <T>(work: Promise<T>) => Promise<T>;
export type Match = { shard: Shard; request: ListedRequest; position: ScanPosition };
/** The scan stopped at its budget; `position` is where a next scan resumes. */
export type OverBudget = { budget: true; position: ScanPosition };

export interface ScanQuery {
  state: ListedState;
  /** Newest first (listings), or oldest first (bulk replay and delete); the waiting list only newest first. */
  order: 'newest' | 'oldest';
  filters: RequestFilters;
  /** Entries read from a shard per call: about what the caller wants. */
  chunk?: number;
  after?: ScanPosition | undefined;
}

// BullMQ files a delayed job by its due time times 0x1000, plus a counter.
const DELAYED_SCALE = 0x1000;

/**
 * The requests in a state that match, every shard's merged into one order: by score, then by
 * shard prefix and job id, so a position is one place in that order whatever the shards.
 * Ends with an OverBudget once `overBudget` says enough entries were looked at.
 */
export async function* scanRequests(shards: readonly Shard[], q: ScanQuery, bound: Bound, overBudget: () => boolean): AsyncGenerator<Match | OverBudget> {
  const walk: Walk = q.state === 'waiting' ? 'list' : q.order === 'newest' ? 'desc' : 'asc';
  const { since, until } = q.filters;
  const low = q.state === 'delayed' ? since * DELAYED_SCALE : since;
  const high = q.state === 'delayed' ? until * DELAYED_SCALE + DELAYED_SCALE - 1 : until;
  const chunk = Math.max(10, Math.min(CHUNK_MAX, q.chunk ?? CHUNK_MAX));
  const position = { last: q.after?.last, shards: { ...q.after?.shards } };
  const readers = shards.map((shard) => {
    const set = setOf(shard, q.state);
    const after = position.shards[shard.prefix];
    // A shard none of whose entries was looked at yet starts where the walk is: what it holds
    // before that arrived since, and comes after in no order.
    const from = after === undefined && position.last !== undefined ? position.last : String(walk === 'asc' ? low : high);
    const reader = new ShardReader(shard, set, walk, from, String(walk === 'asc' ? high : low), after, chunk);
    return { reader, ceiling: walk === 'list' && after === undefined && position.last !== undefined ? Number(position.last) : Number.POSITIVE_INFINITY };
  });
  const sign = walk === 'asc' ? -1 : 1;
  for (;;) {
    const heads = await Promise.all(readers.map((r) => r.reader.peek(bound)));
    let best = -1;
    for (let i = 0; i < heads.length; i += 1) {
      if (heads[i] !== undefined && (best < 0 || sign * compare(heads[i]!, readers[i]!.reader.shard, heads[best]!, readers[best]!.reader.shard) > 0)) best = i;
    }
    if (best < 0) return;
    if (overBudget()) {
      yield { budget: true, position: { last: position.last, shards: { ...position.shards } } };
      return;
    }
    const { reader, ceiling } = readers[best]!;
    const entry = reader.take()!;
    position.shards[reader.shard.prefix] = { score: entry.score, jobId: entry.jobId };
    position.last = entry.score;
    const request = listed(q.state, entry);
    if (request && matches(q.filters, request) && (walk !== 'list' || (request.acceptedAt >= since && request.acceptedAt <= Math.min(until, ceiling)))) {
      yield { shard: reader.shard, request, position: { last: position.last, shards: { ...position.shards } } };
    }
  }
}

function setOf(shard: Shard, state: ListedState): string {
  const { keys } = shard;
  return { failed: keys.failed, cancelled: keys.failed, delivered: keys.completed, delayed: keys.delayed, waiting: keys.wait }[state];
}

// The merge's order: by score, then shard prefix, then job id (a zset's own order for ties).
function compare(a: Entry, sa: Shard, b: Entry, sb: Shard): number {
  const d = Number(a.score) - Number(b.score);
  if (d !== 0) return d;
  if (sa.prefix !== sb.prefix) return sa.prefix < sb.prefix ? -1 : 1;
  return a.jobId < b.jobId ? -1 : a.jobId > b.jobId ? 1 : 0;
}

function listed(state: ListedState, e: Entry): ListedRequest | undefined {
  const { job } = e;
  if (job === undefined) return undefined;
  if ((state === 'failed' || state === 'cancelled') && (e.failedReason === CANCELLED_REASON) !== (state === 'cancelled')) return undefined;
  const score = Number(e.score);
  return {
    id: job.config.id, state, method: job.method, url: job.url, config: job.config as unknown as DeliveryJob['config'], acceptedAt: job.acceptedAt,
    ...(state === 'failed' || state === 'cancelled' || state === 'delivered' ? { endedAt: score } : {}),
    ...(state === 'delayed' ? { dueAt: Math.floor(score / DELAYED_SCALE) } : {}),
    lastAttempt: state === 'delivered' ? e.delivered : attemptOf(job.attempt),
    ...(job.group === undefined ? {} : { group: job.group }),
    ...(job.orderKey === undefined ? {} : { orderKey: job.orderKey }),
    ...(job.schedule === undefined ? {} : { schedule: job.schedule }),
    ...(Array.isArray(job.labels) ? { labels: job.labels } : {}),
  };
}

function matches(f: RequestFilters, r: ListedRequest): boolean {
  if (f.host !== undefined && r.config.host !== f.host && targetKeyOf(r.config) !== f.host) return false;
  if (f.flowKey !== undefined && flowKeyOf(r.config) !== f.flowKey) return false;
  if (f.statusCode !== undefined && r.lastAttempt?.status_code !== f.statusCode) return false;
  if (f.group !== undefined && r.group !== f.group) return false;
  if (f.orderKey !== undefined && r.orderKey !== f.orderKey) return false;
  return f.match === undefined || f.match(r);
}

const attemptOf = (s: Parameters<typeof attemptRecord>[0] | undefined) => (s === undefined ? undefined : attemptRecord(s));
