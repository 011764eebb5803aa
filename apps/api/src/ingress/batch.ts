import type { NextFunction, Request, Response } from 'express';
import type { HttpMetrics } from '@knocker/metrics';
import { QueueUnavailableError, type RequestStore } from '@knocker/queue';
import type { Logger } from '@knocker/telemetry';
import { PayloadTooLargeError } from '../errors.js';
import { acceptedAnswer, duplicateAnswer, jobOf } from './accept.js';
import { readBody } from './body.js';
import { readBatch, type BatchLimits } from './batch-items.js';

export interface BatchDeps {
  limits: BatchLimits & { maxBytes: number };
  store: Pick<RequestStore, 'addMany' | 'stateOf'>;
  queueReady: () => boolean;
  logger: Logger;
  metrics: Pick<HttpMetrics, 'accepted'>;
}

/**
 * POST <prefix>/batch: a JSON array of requests, each what a single request with its headers
 * would be. Every one is checked before any is stored; all are stored before the answer, which
 * lists each one's answer in order, as a single request would have been answered.
 */
export function createBatchHandler(deps: BatchDeps) {
  const { limits, store, logger, metrics } = deps;
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const body = await readBody(req, limits.maxBytes, () => new PayloadTooLargeError(limits.maxBytes, 'BATCH_MAX_BYTES'));
      const items = readBatch(body.toString('utf8'), limits);
      if (!deps.queueReady()) throw new QueueUnavailableError('Redis is not connected');
      const outcomes = await store.addMany(items.map(({ knock, body: b, chosenId }) => ({ job: jobOf(knock, b), checkDuplicate: chosenId })));
      const results = await Promise.all(items.map(({ knock, body: b }, i) => (outcomes[i]?.duplicate
        ? duplicateAnswer(store, knock.config.id)
        : acceptedAnswer(knock, b.length))));
      const fresh = outcomes.filter((o) => !o.duplicate).length;
      metrics.accepted.inc(fresh);
      logger.debug(`Batch of ${items.length} requests: ${fresh} accepted, ${items.length - fresh} known already`);
      res.json({ status: true, results });
    } catch (err) {
      next(err);
    }
  };
}
