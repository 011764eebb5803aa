import { hostname } from 'node:os';
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '@knocker/config';
import { KNOCKER_VERSION } from '@knocker/protocol';
import { withinDeadline, type RequestStore, type Schedules } from '@knocker/queue';
import { sharedRead } from './shared-read.js';

/** Requests not finished yet: Knocker's `tasks`, which its clients read as work in progress. */
export function pendingTasks(counts: Record<string, number>): number {
  return (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0);
}

/**
 * Knocker's status page, with the queues' counts (of every shard) so an operator sees the backlog at a glance.
 * `worker` names the answering process, so behind a load balancer one can tell which api answered.
 */
export function createStatusHandler(deps: { store: Pick<RequestStore, 'counts'>; schedules: Pick<Schedules, 'counts'>; config: Pick<Config, 'redis'> }) {
  const worker = `${hostname()}:${process.pid}`;
  // Four reads per shard: shared by the requests of a second, however many come.
  const read = sharedRead(async () => {
    const [counts, schedules] = await Promise.all([deps.store.counts(), withinDeadline(deps.schedules.counts(), deps.config.redis.timeoutMs)]);
    const { requests, callbacks, delivered, failed } = counts;
    return {
      status: true, version: KNOCKER_VERSION, worker, tasks: pendingTasks(requests),
      processed: delivered + failed, delivered, failed, queues: { requests, callbacks }, schedules,
    };
  });
  return async function status(_req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      res.json(await read());
    } catch (err) {
      next(err);
    }
  };
}
