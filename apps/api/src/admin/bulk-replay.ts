import type { NextFunction, Request, Response } from 'express';
import { MAX_REPLAYS, REPLAY_FILTERS_MAX_BYTES } from '@knocker/contract';
import { InvalidRequestError } from '@knocker/protocol';
import type { RequestFilters, RequestStore } from '@knocker/queue';
import { readBody } from '../ingress/body.js';

/**
 * POST /requests/retry: replays the failed requests that match, oldest failure first, up to
 * `limit`, each as the single replay does (a full set of attempts, a callback of its own).
 */
export function createBulkReplayHandler(store: Pick<RequestStore, 'replayFailed'>) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const { limit, ...filters } = parseFilters(await readBody(req, REPLAY_FILTERS_MAX_BYTES));
      const { replayed, more } = await store.replayFailed(filters, limit);
      res.json({ status: true, replayed: replayed.length, more, ids: replayed });
    } catch (err) {
      next(err);
    }
  };
}

function parseFilters(body: Buffer): RequestFilters & { limit: number } {
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
