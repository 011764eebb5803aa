import type { NextFunction, Request, Response } from 'express';
import { KNOCKER_VERSION } from '@knocker/protocol';
import type { Queues } from '@knocker/queue';
import { withinDeadline } from './deadline.js';

/** Knocker's status page, with the queues' counts so an operator sees the backlog at a glance. */
export function createStatusHandler(deps: { queues: Queues; redisTimeoutMs: number }) {
  return async function status(_req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      const { delivery, callback } = deps.queues;
      const [requests, callbacks, delivered, failed] = await withinDeadline(
        Promise.all([delivery.getJobCounts(), callback.getJobCounts(), delivery.getMetrics('completed', 0, 0), delivery.getMetrics('failed', 0, 0)]),
        deps.redisTimeoutMs,
      );
      const total = { delivered: delivered.meta.count, failed: failed.meta.count };
      res.json({ status: true, version: KNOCKER_VERSION, processed: total.delivered + total.failed, ...total, queues: { requests, callbacks } });
    } catch (err) {
      next(err);
    }
  };
}
