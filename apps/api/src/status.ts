import { hostname } from 'node:os';
import type { NextFunction, Request, Response } from 'express';
import { KNOCKER_VERSION } from '@knocker/protocol';
import type { Queues, Schedules } from '@knocker/queue';
import { withinDeadline } from './deadline.js';
import { sharedRead } from './shared-read.js';

/** Requests not finished yet: Knocker's `tasks`, which its clients read as work in progress. */
export function pendingTasks(counts: Record<string, number>): number {
  return (counts.waiting ?? 0) + (counts.prioritized ?? 0) + (counts.delayed ?? 0) + (counts.active ?? 0);
}

/**
 * Knocker's status page, with the queues' counts (of every shard) so an operator sees the backlog at a glance.
 * `worker` names the answering process, so behind a load balancer one can tell which api answered.
 */
export function createStatusHandler(deps: { queues: Pick<Queues, 'all'>; schedules: Pick<Schedules, 'counts'>; redisTimeoutMs: number }) {
  const worker = `${hostname()}:${process.pid}`;
  // Four reads per shard: shared by the requests of a second, however many come.
  const read = sharedRead(async () => {
    const [perShard, schedules] = await withinDeadline(Promise.all([Promise.all(deps.queues.all.map(({ delivery, callback }) => Promise.all([
      delivery.getJobCounts(), callback.getJobCounts(), delivery.getMetrics('completed', 0, 0), delivery.getMetrics('failed', 0, 0),
    ]))), deps.schedules.counts()]), deps.redisTimeoutMs);
    const requests = sumCounts(perShard.map((s) => s[0]));
    const callbacks = sumCounts(perShard.map((s) => s[1]));
    const total = { delivered: sum(perShard.map((s) => s[2].meta.count)), failed: sum(perShard.map((s) => s[3].meta.count)) };
    return {
      status: true, version: KNOCKER_VERSION, worker, tasks: pendingTasks(requests),
      processed: total.delivered + total.failed, ...total, queues: { requests, callbacks }, schedules,
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

const sum = (ns: number[]) => ns.reduce((a, b) => a + b, 0);

function sumCounts(counts: Array<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of counts) for (const [state, n] of Object.entries(c)) out[state] = (out[state] ?? 0) + n;
  return out;
}
