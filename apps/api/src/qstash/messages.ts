import express from 'express';
import { readCount, readFilters, readIds, type FilterName } from '@knocker/qstash';
import { withinDeadline, type ListedState } from '@knocker/queue';
import { sendJson } from '../answer.js';
import type { DoorDeps } from './door.js';
import { alone, handle, queryOf, refuse } from './query.js';

const IDS_MAX = 100;
// QStash's own bound on a bulk cancel's count (the SDK sends 100 when none is given).
const COUNT_MAX = 500;
// Listing pages one call reads per state at most, each bounded by REQUESTS_SCANNED_MAX: a
// second page goes on where a first stopped at that bound; more waits for the caller's next call.
const PAGES_MAX = 2;
const FILTERS: readonly FilterName[] = ['url', 'topicName', 'scheduleId', 'label', 'flowControlKey', 'host', 'path', 'fromDate', 'toDate', 'queueName', 'callerIp'];
const PENDING: readonly ListedState[] = ['waiting', 'delayed'];

/**
 * `DELETE /v2/messages`: cancels the messages named (`messageIds`), or up to `count` of the
 * waiting and delayed ones that match the filters (all of them without any), newest first.
 */
export function createMessages(deps: DoorDeps): express.Router {
  const bounded = <T>(work: Promise<T>) => withinDeadline(work, deps.config.redis.timeoutMs);
  const router = express.Router();
  router.delete('/', handle(async (req, res) => {
    const params = queryOf(req);
    const errors: Record<string, string> = {};
    let cancelled = 0;
    if (params.has('messageIds')) {
      const ids = readIds(params, 'messageIds', IDS_MAX, errors);
      alone(params, 'messageIds', [], errors);
      refuse(errors);
      for (const id of ids) if ((await bounded(deps.store.cancel(id))) === 'cancelled') cancelled += 1;
      return sendJson(res, 200, { cancelled });
    }
    const count = readCount(params, 100, COUNT_MAX, errors);
    const { filters } = readFilters(params, FILTERS, ['count'], errors);
    refuse(errors);
    for (const state of PENDING) {
      let cursor: string | undefined;
      for (let pages = 0; pages < PAGES_MAX && cancelled < count; pages += 1) {
        // Not within `bounded`: the store bounds each step of a listing itself.
        const page = await deps.store.list({ state, filters, limit: count - cancelled, cursor });
        let now = 0;
        for (const r of page.requests) if ((await bounded(deps.store.cancel(r.id))) === 'cancelled') now += 1;
        cancelled += now;
        if (page.cursor === undefined) break;
        // A cancelled request left the waiting list, where a cursor resumes after its last entry:
        // the next page starts from the newest again, which no longer holds what was cancelled.
        cursor = state === 'waiting' && now > 0 ? undefined : page.cursor;
      }
    }
    sendJson(res, 200, { cancelled });
  }));
  return router;
}
