import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Config } from '@knocker/config';
import { InvalidRequestError, nextTicks, type KnockRequest } from '@knocker/protocol';
import { SCHEDULE_ID_MAX, withinDeadline, type RequestStore, type Schedules, type ScheduleState, type StoredSchedule } from '@knocker/queue';
import { sendJson } from '../answer.js';
import { ScheduleLimitError, ScheduleNotFoundError } from '../errors.js';
import { idParam } from './requests.js';

export interface ScheduleDeps {
  schedules: Schedules;
  /** Where a schedule's last requests are looked up. */
  store: Pick<RequestStore, 'brief'>;
  /** `schedules.max` (SCHEDULES_MAX) 0 refuses every Knocker-Cron. */
  config: Pick<Config, 'schedules' | 'redis'>;
}

type Handler = (req: Request, res: Response, next: NextFunction) => Promise<void>;

const NEXT_TICKS = 5;
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** Stores the schedule a request with `Knocker-Cron` asks for, and answers for it. */
export function createScheduleAcceptor(deps: ScheduleDeps) {
  return async function acceptSchedule(knock: KnockRequest & { cron: NonNullable<KnockRequest['cron']> }, body: Buffer, res: ServerResponse): Promise<void> {
    const { config, cron } = knock;
    if (config.id.length > SCHEDULE_ID_MAX) {
      throw new InvalidRequestError({ 'knocker-id': `must be at most ${SCHEDULE_ID_MAX} characters for a schedule: each tick's id adds @<time in ms>` });
    }
    if (deps.config.schedules.max === 0) throw new ScheduleLimitError(0);
    const now = Date.now();
    const request = { config, method: knock.method, url: knock.url, headers: knock.headers, body: body.toString('base64') };
    const saved = await withinDeadline(
      deps.schedules.save({ id: config.id, ...cron, request, createdAt: now, updatedAt: now }, deps.config.schedules.max), deps.config.redis.timeoutMs,
    );
    if (saved.outcome === 'full') throw new ScheduleLimitError(deps.config.schedules.max);
    sendJson(res, 200, {
      status: true,
      schedule: { id: config.id, cron: cron.cron, timezone: cron.timezone, next: iso(saved.next), state: saved.state },
      ...(saved.outcome === 'replaced' && { replaced: true }),
      config, url: knock.url, method: knock.method, headers: knock.headers, 'body-length': body.length,
    });
  };
}

/** The admin routes of schedules: list, read, delete, pause, resume. */
export function createScheduleHandlers(deps: ScheduleDeps): Record<'list' | 'inspect' | 'remove' | 'pause' | 'resume', Handler> {
  const redis = <T>(work: Promise<T>) => withinDeadline(work, deps.config.redis.timeoutMs);
  const handle = (work: (req: Request, res: Response) => Promise<void>): Handler => async (req, res, next) => {
    try {
      await work(req, res);
    } catch (err) {
      next(err);
    }
  };
  const found = async (id: string) => {
    const schedule = await redis(deps.schedules.get(id));
    if (!schedule) throw new ScheduleNotFoundError(id);
    return schedule;
  };
  const setState = (state: ScheduleState) => handle(async (req, res) => {
    const id = idParam(req);
    if (!(await redis(deps.schedules.setState(id, state)))) throw new ScheduleNotFoundError(id);
    res.json({ status: true, id, state, next: iso(await redis(deps.schedules.next(id))) });
  });

  return {
    list: handle(async (_req, res) => {
      const all = await redis(deps.schedules.list());
      const next = await redis(Promise.all(all.map((s) => deps.schedules.next(s.id))));
      res.json({ status: true, schedules: all.map((s, i) => summary(s, next[i] ?? null)) });
    }),
    inspect: handle(async (req, res) => {
      const schedule = await found(idParam(req));
      const [next, recent] = await redis(Promise.all([deps.schedules.next(schedule.id), deps.schedules.recent(schedule.id)]));
      const last = await Promise.all(recent.map((id) => requestSummary(deps.store, id)));
      const ticks = schedule.state === 'active' ? nextTicks(schedule, new Date(), NEXT_TICKS).map((d) => d.toISOString()) : [];
      res.json({
        status: true,
        schedule: { ...summary(schedule, next), next_ticks: ticks, config: schedule.request.config, headers: schedule.request.headers, 'body-length': Buffer.byteLength(schedule.request.body, 'base64') },
        last_requests: last,
      });
    }),
    remove: handle(async (req, res) => {
      const id = idParam(req);
      if (!(await redis(deps.schedules.remove(id)))) throw new ScheduleNotFoundError(id);
      res.json({ status: true, id, state: 'deleted' });
    }),
    pause: setState('paused'),
    resume: setState('active'),
  };
}

function summary(s: StoredSchedule, next: number | null) {
  return {
    id: s.id, cron: s.cron, timezone: s.timezone, state: s.state, next: iso(next), method: s.request.method, url: s.request.url,
    created_at: iso(s.createdAt), updated_at: iso(s.updatedAt),
  };
}

/** A tick's request as the list shows it; `gone` once RETAIN_* removed it. */
async function requestSummary(store: Pick<RequestStore, 'brief'>, id: string) {
  const found = await store.brief(id);
  return { id, state: found?.state ?? 'gone', created_at: found ? iso(found.acceptedAt) : null };
}
