import express, { type NextFunction, type Request, type Response } from 'express';
import { readDestination, readPublish, scheduleOf } from '@knocker/qstash';
import { withinDeadline } from '@knocker/queue';
import { sendJson } from '../answer.js';
import { ScheduleLimitError } from '../errors.js';
import { readBody } from '../ingress/body.js';
import { DoorError, type DoorDeps } from './door.js';
import { ensureQueue } from './queues.js';

type Work = (req: Request, res: Response) => Promise<void>;

/**
 * QStash's schedules on Knocker's schedule store: each tick is a message like a publish.
 * Creating with an existing `Upstash-Schedule-Id` replaces it, as in QStash.
 */
export function createQstashSchedules(deps: DoorDeps): express.Router {
  const { api, redis, schedules: settings } = deps.config;
  const limits = { ...deps.config.protocol, refuseAddress: deps.refuseAddress };
  const bounded = <T>(work: Promise<T>) => withinDeadline(work, redis.timeoutMs);
  const handle = (work: Work) => (req: Request, res: Response, next: NextFunction) => void work(req, res).catch(next);
  const router = express.Router();
  const found = async (id: string) => {
    const schedule = await bounded(deps.schedules.get(id));
    if (!schedule) throw new DoorError(404, `schedule ${id} not found`);
    return schedule;
  };

  const destinationOf = (req: Request) => (req.method === 'POST' ? readDestination(req.url, '/') : undefined);
  // The destination is pasted raw after /v2/schedules/, so creation is told apart from /<id>/pause by its scheme.
  const isCreate = (req: Request) => /^https?:/i.test(destinationOf(req) ?? '');
  const create = handle(async (req, res) => {
    const destination = destinationOf(req) ?? '';
    const body = await readBody(req, api.maxBodySize);
    const { job, schedule, queue } = readPublish({ destination, rawHeaders: req.rawHeaders, body }, limits, Date.now(), true);
    if (!schedule) throw new DoorError(400, 'upstash-cron is required');
    if (settings.max === 0) throw new ScheduleLimitError(0);
    // Its ticks are enqueued (Upstash-Queue-Name): each waits its turn in the queue's line.
    if (queue !== undefined) await ensureQueue(deps, queue);
    const now = Date.now();
    const request = {
      config: { ...job.config, id: schedule.id }, method: job.method, url: job.url, headers: job.headers, body: job.body, qstash: job.qstash,
      ...(job.orderKey === undefined ? {} : { orderKey: job.orderKey }),
    };
    const saved = await bounded(deps.schedules.save({ id: schedule.id, ...schedule.cron, request, createdAt: now, updatedAt: now }, settings.max));
    if (saved.outcome === 'full') throw new ScheduleLimitError(settings.max);
    sendJson(res, 200, { scheduleId: schedule.id });
  });
  router.use((req: Request, res: Response, next: NextFunction) => (isCreate(req) ? create(req, res, next) : next()));

  router.get('/', handle(async (_req, res) => {
    const all = await bounded(deps.schedules.list());
    const next = await bounded(Promise.all(all.map((s) => deps.schedules.next(s.id))));
    sendJson(res, 200, all.map((s, i) => scheduleOf(s, next[i] ?? null)));
  }));
  router.get('/:id', handle(async (req, res) => {
    const schedule = await found(String(req.params['id']));
    sendJson(res, 200, scheduleOf(schedule, await bounded(deps.schedules.next(schedule.id))));
  }));
  router.delete('/:id', handle(async (req, res) => {
    const id = String(req.params['id']);
    if (!(await bounded(deps.schedules.remove(id)))) throw new DoorError(404, `schedule ${id} not found`);
    sendJson(res, 200, {});
  }));
  // The SDK sends PATCH; QStash's own reference says POST: both are taken.
  for (const [action, state] of [['pause', 'paused'], ['resume', 'active']] as const) {
    const setState = handle(async (req, res) => {
      const id = String(req.params['id']);
      if (!(await bounded(deps.schedules.setState(id, state)))) throw new DoorError(404, `schedule ${id} not found`);
      sendJson(res, 200, {});
    });
    router.patch(`/:id/${action}`, setState);
    router.post(`/:id/${action}`, setState);
  }
  return router;
}
