import type { NextFunction, Request, Response } from 'express';
import { flowKeyOf, targetKeyOf } from '@knocker/flow';
import { MAX_REPLAYS, REPLAY_FILTERS_MAX_BYTES } from '@knocker/contract';
import { InvalidRequestError } from '@knocker/protocol';
import { CANCELLED_REASON, replayDelivery, type DeliveryJob, type Queues, type Shard } from '@knocker/queue';
import { readBody } from './body.js';
import { withinDeadline } from './deadline.js';

export interface BulkReplayDeps {
  queues: Pick<Queues, 'all'>;
  redisTimeoutMs: number;
}

/** Which failed requests to replay; every filter given must match. */
interface Filters {
  /** The target's host, or host:port. */
  host: string | undefined;
  flowKey: string | undefined;
  /** Failed at or after / before, ms since the epoch. */
  since: number;
  until: number;
  statusCode: number | undefined;
  limit: number;
}

const PAGE = 200;
// Failed requests looked at per call, past which the answer says there may be more.
const SCAN_BUDGET = 20_000;

/**
 * POST /requests/retry: replays the failed requests that match, oldest failure first, up to
 * `limit`, each as the single replay does (a full set of attempts, a callback of its own).
 */
export function createBulkReplayHandler(deps: BulkReplayDeps) {
  const redis = <T>(work: Promise<T>) => withinDeadline(work, deps.redisTimeoutMs);
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const filters = parseFilters(await readBody(req, REPLAY_FILTERS_MAX_BYTES));
      const replayed: string[] = [];
      let more = false;
      let scanned = 0;
      for (const shard of deps.queues.all) {
        for await (const match of failedMatches(shard, filters, redis, () => ++scanned > SCAN_BUDGET)) {
          if (match === 'budget' || replayed.length >= filters.limit) {
            more = true;
            break;
          }
          if ((await redis(replayDelivery(shard.redis, shard.delivery, match))) === 'replayed') replayed.push(match);
        }
        if (more) break;
      }
      res.json({ status: true, replayed: replayed.length, more, ids: replayed });
    } catch (err) {
      next(err);
    }
  };
}

async function* failedMatches(
  shard: Shard, f: Filters, redis: <T>(w: Promise<T>) => Promise<T>, overBudget: () => boolean,
): AsyncGenerator<string | 'budget'> {
  const failed = shard.delivery.toKey('failed');
  const seen = new Set<string>();
  let from = String(f.since);
  for (;;) {
    const page = await redis(shard.redis.zrangebyscore(failed, from, f.until, 'WITHSCORES', 'LIMIT', 0, PAGE));
    if (page.length === 0) return;
    let fresh = 0;
    for (let i = 0; i < page.length; i += 2) {
      const jobId = page[i]!;
      from = page[i + 1]!;
      if (seen.has(jobId)) continue;
      seen.add(jobId);
      fresh += 1;
      if (overBudget()) {
        yield 'budget';
        return;
      }
      const [data, reason] = await redis(shard.redis.hmget(shard.delivery.toKey(jobId), 'data', 'failedReason'));
      if (data == null || reason === CANCELLED_REASON) continue;
      const job = JSON.parse(data) as DeliveryJob;
      if (f.host !== undefined && job.config.host !== f.host && targetKeyOf(job.config) !== f.host) continue;
      if (f.flowKey !== undefined && flowKeyOf(job.config) !== f.flowKey) continue;
      if (f.statusCode !== undefined && job.attempts?.at(-1)?.status_code !== f.statusCode) continue;
      yield job.config.id;
    }
    // Replayed jobs leave the set: the next page starts at the last score seen, skipping what was seen.
    if (fresh === 0) return;
  }
}

function parseFilters(body: Buffer): Filters {
  let raw: unknown = {};
  const given = body.toString('utf8').trim();
  if (given !== '') {
    try {
      raw = JSON.parse(given);
    } catch {
      raw = null;
    }
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidRequestError({ body: 'must be a JSON object of filters, or empty' });
  const o = raw as Record<string, unknown>;
  const errors: Record<string, string> = {};
  const known = ['host', 'flow_key', 'since', 'until', 'status_code', 'limit'];
  for (const name of Object.keys(o)) if (!known.includes(name)) errors[name] = `is not a filter; use ${known.join(', ')}`;

  const text = (name: string): string | undefined => {
    const v = o[name];
    if (v === undefined) return undefined;
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    errors[name] = 'must be a non-empty string';
    return undefined;
  };
  const host = text('host')?.toLowerCase().replace(/^https?:\/\//, '');
  const flowKey = text('flow_key');
  const time = (name: string, fallback: number): number => {
    const v = o[name];
    if (v === undefined) return fallback;
    const ms = typeof v === 'number' ? v * 1000 : typeof v === 'string' ? Date.parse(v) : Number.NaN;
    if (Number.isFinite(ms)) return ms;
    errors[name] = 'must be unix seconds or an ISO 8601 date';
    return fallback;
  };
  const since = time('since', 0);
  const until = time('until', Date.now() + 60_000);
  const status = o['status_code'];
  if (status !== undefined && !(Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 999)) errors['status_code'] = 'must be a whole number from 100 to 999';
  const limit = o['limit'] ?? 100;
  if (!(Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= MAX_REPLAYS)) errors['limit'] = `must be a whole number from 1 to ${MAX_REPLAYS}`;
  if (Object.keys(errors).length > 0) throw new InvalidRequestError(errors);
  return { host, flowKey, since, until, statusCode: status as number | undefined, limit: limit as number };
}
