import { Queue, type Job } from 'bullmq';
import type { Retention } from '@knocker/config';
import { QUEUES, scheduleKeys } from '@knocker/keys';
import type { CronSpec } from '@knocker/protocol';
import type { Connection } from './connection.js';
import type { DeliveryJob } from './jobs.js';
import { runScript, SCRIPTS } from './scripts.js';

/** What a schedule sends at every tick: a request as the api accepted it, but for its id. */
export type ScheduledRequest = Pick<DeliveryJob, 'config' | 'method' | 'url' | 'headers' | 'body' | 'qstash' | 'orderKey'>;

export interface Schedule extends CronSpec {
  id: string;
  request: ScheduledRequest;
  /** Ms since the epoch. */
  createdAt: number;
  updatedAt: number;
}

export type ScheduleState = 'active' | 'paused';
export type StoredSchedule = Schedule & { state: ScheduleState };

/** The job BullMQ's job scheduler adds at each tick; the definition is read when it runs. */
export interface TickJob {
  schedule: string;
}

/** Ticks of a schedule are requests with ids `<schedule id>@<tick time in ms>`: 14 characters on top. */
export const SCHEDULE_ID_MAX = 128 - 14;
export const tickRequestId = (scheduleId: string, dueMs: number): string => `${scheduleId}@${dueMs}`;
// BullMQ names the job of each tick `repeat:<scheduler id>:<due time in ms>`.
export const tickDueMs = (job: Pick<Job, 'id' | 'timestamp'>): number => Number(job.id?.slice(job.id.lastIndexOf(':') + 1)) || job.timestamp;

// How many of its last requests a schedule remembers, for inspection.
const RECENT = 20;
// Rounds of bringing a job scheduler in line with its definition while others change it.
const SETTLE_ROUNDS = 10;

export type SaveOutcome = { outcome: 'created' | 'replaced'; state: ScheduleState; next: number | null } | { outcome: 'full' };

/**
 * Schedules, stored beside their queue (one Redis Cluster slot): a hash of definitions, a
 * hash of paused ids, and for each active schedule a BullMQ job scheduler that adds a tick job
 * at every tick. Pausing removes the job scheduler and keeps the definition.
 */
export interface Schedules {
  queue: Queue<TickJob>;
  save(schedule: Schedule, max: number): Promise<SaveOutcome>;
  get(id: string): Promise<StoredSchedule | undefined>;
  list(): Promise<StoredSchedule[]>;
  /** When the next tick is due, or null when none is (paused, or the schedule is gone). */
  next(id: string): Promise<number | null>;
  remove(id: string): Promise<boolean>;
  setState(id: string, state: ScheduleState): Promise<boolean>;
  counts(): Promise<Record<ScheduleState, number>>;
  recordTick(id: string, requestId: string): Promise<void>;
  recent(id: string): Promise<string[]>;
  close(): Promise<void>;
}

export function createSchedules(connection: Connection, prefix: string, retention: Retention): Schedules {
  const queue = new Queue<TickJob>(QUEUES.schedule, { connection, prefix });
  // Errors of the connection are reported once, by its owner.
  queue.on('error', () => undefined);
  const { definitions: defs, paused, ticks } = scheduleKeys(prefix);
  const parse = (raw: string | null, state: ScheduleState): StoredSchedule | undefined =>
    raw === null ? undefined : { ...(JSON.parse(raw) as Schedule), state };
  const start = async (s: Pick<Schedule, 'id' | 'pattern' | 'timezone'>) => {
    // Ticks are small and each leaves a request of its own: they need not be kept long.
    await queue.upsertJobScheduler(s.id, { pattern: s.pattern, tz: s.timezone }, {
      name: 'tick', data: { schedule: s.id },
      opts: { attempts: 5, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { count: 1000 }, removeOnFail: { ...retention.failed } },
    });
  };
  const next = async (id: string) => (await queue.getJobScheduler(id))?.next ?? null;
  const read = async (id: string) => {
    const [[, def] = [], [, state] = []] = (await connection.multi().hget(defs, id).hget(paused, id).exec()) ?? [];
    return { def: (def as string | null | undefined) ?? null, state: (state as string | null | undefined) ?? null };
  };
  // Brings the job scheduler in line with the stored definition: one while it is active, none
  // otherwise. A save, remove or pause racing this one may change the definition between our
  // reading it and acting on it, so it is read again after acting, until what was acted on is
  // still what is stored. Each scheduler change is one script: the last one made followed the
  // last change of the definition.
  const settle = async (id: string) => {
    let seen = await read(id);
    for (let round = 0; round < SETTLE_ROUNDS; round += 1) {
      if (seen.def !== null && seen.state !== 'paused') await start(JSON.parse(seen.def) as Schedule);
      else await queue.removeJobScheduler(id);
      const now = await read(id);
      if (now.def === seen.def && now.state === seen.state) return;
      seen = now;
    }
  };

  return {
    queue,
    async save(schedule, max) {
      const [code, state] = (await runScript(connection, SCRIPTS.saveSchedule, [defs, paused], [schedule.id, JSON.stringify(schedule), max])) as [number, ScheduleState];
      if (code === 0) return { outcome: 'full' };
      await settle(schedule.id);
      return { outcome: code === 1 ? 'created' : 'replaced', state, next: state === 'active' ? await next(schedule.id) : null };
    },
    async get(id) {
      const [raw, state] = await Promise.all([connection.hget(defs, id), connection.hget(paused, id)]);
      return parse(raw, state === 'paused' ? 'paused' : 'active');
    },
    async list() {
      const [all, pausedIds] = await Promise.all([connection.hgetall(defs), connection.hkeys(paused)]);
      const isPaused = new Set(pausedIds);
      return Object.entries(all).map(([id, raw]) => parse(raw, isPaused.has(id) ? 'paused' : 'active')!).sort((a, b) => a.createdAt - b.createdAt);
    },
    next,
    async remove(id) {
      // The definition first: a tick already on its way then finds it gone.
      const [[, removed] = []] = (await connection.multi().hdel(defs, id).hdel(paused, id).del(ticks(id)).exec()) ?? [];
      await settle(id);
      return removed === 1;
    },
    async setState(id, state) {
      const found = Number(await runScript(connection, SCRIPTS.scheduleState, [defs, paused], [id, state])) === 1;
      if (found) await settle(id);
      return found;
    },
    async counts() {
      const [all, pausedCount] = await Promise.all([connection.hlen(defs), connection.hlen(paused)]);
      return { active: all - pausedCount, paused: pausedCount };
    },
    async recordTick(id, requestId) {
      await runScript(connection, SCRIPTS.recordTick, [ticks(id)], [requestId, RECENT]);
    },
    recent: (id) => connection.lrange(ticks(id), 0, -1),
    close: () => queue.close(),
  };
}
