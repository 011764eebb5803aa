import type { NextFunction, Request, Response } from 'express';
import { MAX_REPLAYS, REPLAY_FILTERS_MAX_BYTES } from '@knocker/contract';
import type { RequestStore } from '@knocker/queue';
import { readBody } from '../ingress/body.js';
import { filtersOfBody, readFilters } from './filters.js';

/**
 * POST /requests/retry: replays the failed requests that match, oldest failure first, up to
 * `limit`, each as the single replay does (a full set of attempts, a callback of its own).
 * POST /requests/delete: removes them instead, with their attempts and log lines.
 */
export function createBulkHandlers(store: Pick<RequestStore, 'replayFailed' | 'deleteFailed'>) {
  const bulk = (act: 'replayFailed' | 'deleteFailed', count: 'replayed' | 'deleted') =>
    async (req: Request, res: Response, next: NextFunction): Promise<void> => {
      try {
        const { limit, ...filters } = readFilters(filtersOfBody(await readBody(req, REPLAY_FILTERS_MAX_BYTES)), MAX_REPLAYS);
        const { ids, more } = await store[act](filters, limit);
        res.json({ status: true, [count]: ids.length, more, ids });
      } catch (err) {
        next(err);
      }
    };
  return { replay: bulk('replayFailed', 'replayed'), remove: bulk('deleteFailed', 'deleted') };
}
