import type { NextFunction, Request, Response } from 'express';
import { LISTED_REQUESTS_MAX } from '@knocker/contract';
import { InvalidRequestError } from '@knocker/protocol';
import type { ListedRequest, ListedState, RequestStore } from '@knocker/queue';
import { filtersOfQuery, readFilters } from './filters.js';

const STATES: readonly ListedState[] = ['failed', 'delivered', 'waiting', 'delayed', 'cancelled'];

/**
 * GET /requests?state=…: the requests in a state, newest first across every shard, a page of
 * `limit` at a time; `cursor` is there while more may follow and is passed back as `?cursor=`.
 */
export function createListingHandler(store: Pick<RequestStore, 'list'>) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const { state: rawState = 'failed', cursor, ...rest } = filtersOfQuery(req.originalUrl);
      const state = STATES.find((s) => s === rawState);
      const { limit, ...filters } = readFilters(rest, LISTED_REQUESTS_MAX);
      if (state === undefined) throw new InvalidRequestError({ state: `must be one of ${STATES.join(', ')}` });
      if (cursor !== undefined && (typeof cursor !== 'string' || cursor === '')) throw new InvalidRequestError({ cursor: 'must be the cursor a listing answered' });
      const page = await store.list({ state, filters, limit, cursor });
      res.json({ status: true, requests: page.requests.map(entry), ...(page.cursor === undefined ? {} : { cursor: page.cursor }) });
    } catch (err) {
      next(err);
    }
  };
}

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/** One listed request as the route shows it: enough to choose what to inspect, replay or delete. */
function entry(r: ListedRequest) {
  const a = r.lastAttempt;
  return {
    id: r.id,
    state: r.state,
    method: r.method,
    url: r.url,
    status_code: a?.status_code ?? null,
    error: a?.error ?? null,
    error_code: a?.error_code ?? null,
    attempts: a?.attempt ?? 0,
    accepted_at: iso(r.acceptedAt),
    ended_at: iso(r.endedAt),
    ...(r.dueAt === undefined ? {} : { due_at: iso(r.dueAt) }),
    ...(r.group === undefined ? {} : { group: r.group }),
    ...(r.orderKey === undefined ? {} : { order_key: r.orderKey }),
  };
}
