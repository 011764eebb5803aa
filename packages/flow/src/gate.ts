import { DelayedError, type Job } from 'bullmq';
import type { FlowSettings } from '@knocker/config';
import { flowKeyOf, type FlowKey } from '@knocker/protocol';
import type { DeliveryJob } from '@knocker/queue';
import { breakerOutcome } from './breaker.js';

import { flowEnabled, limitsFor } from './limits.js';
import type { FlowMetrics } from './metrics.js';
import type { FlowStore, OwnLimits } from './store.js';
import { memberOf } from './wake.js';

/** How long a waiting job sleeps if no wake-up ever comes: the last resort if flow state is lost. */
export const PARK_MS = 3_600_000;
const SWEEP_MS = 1000;
const SWEEP_KEYS = 100;
/** Rounds of giving back the slots of gone jobs after one wake-up: each round empties the line further. */
const DROP_ROUNDS = 50;

interface Log {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

export interface FlowGateDeps {
  store: FlowStore;
  settings: FlowSettings;
  /** LOCK_DURATION_MS: a slot whose holder died frees itself after this. */
  lockMs: number;
  /** MAX_REDIRECTS: an attempt lasts at most its timeout once per hop. */
  maxRedirects: number;
  /** Wakes sleeping jobs; returns those that are gone (cancelled, removed) and will never come. */
  wake: (jobIds: readonly string[]) => Promise<readonly string[]>;
  logger: Log;
  metrics?: FlowMetrics;
}

/** Held for the length of one attempt; `done` frees the slot and tells the breaker how it went. */
export interface Ticket {
  done(attempt: { ok: boolean; statusCode: number; code?: string }): Promise<void>;
}

export interface FlowGate {
  /**
   * Before an attempt: resolves when it may start (with a ticket when its slot must be given
   * back), or parks the job without spending an attempt and throws BullMQ's DelayedError.
   * Without any flow-control variable set, only a QStash message with a flow key asks Redis.
   * `sleep` parks it (the store's, behind first attempts); by default it is only delayed.
   */
  admit(job: Job<DeliveryJob>, token: string | undefined, sleep?: (untilMs: number) => Promise<void>): Promise<Ticket | undefined>;
  /** Runs the safety sweep until `stop`. */
  start(): void;
  stop(): void;
}

const NO_TICKET: Ticket = { done: async () => undefined };
const UNLIMITED = { concurrency: 0, rate: 0 };

/** The limits a QStash message carries, if any. */
function ownOf(flow: { parallelism?: number; rate?: number; period?: number } | undefined): OwnLimits | undefined {
  if (flow === undefined || (!flow.parallelism && !flow.rate)) return undefined;
  return { parallelism: flow.parallelism ?? 0, rate: flow.rate ?? 0, periodMs: (flow.period ?? 1) * 1000 };
}
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

export function createFlowGate(deps: FlowGateDeps): FlowGate {
  const { store, settings, logger, metrics } = deps;
  const breaker = settings.breaker;
  const enabled = flowEnabled(settings);
  let timer: NodeJS.Timeout | undefined;

  // A slot granted to a job that is gone goes to the next in line at once, not after the lock.
  const wake = async (key: FlowKey, ids: readonly string[]) => {
    let next = ids;
    for (let round = 0; next.length > 0 && round < DROP_ROUNDS; round += 1) {
      const gone = await deps.wake(next);
      next = gone.length === 0 ? [] : await store.drop(key, gone);
    }
  };

  // Keeps the slot while the attempt runs, however long it takes; a dead worker's slot still
  // expires after the lock duration. Bounded by the longest the attempt can last, so a ticket
  // whose `done` never comes does not hold its slot for ever.
  const renewing = (key: FlowKey, id: string, job: Job<DeliveryJob>) => {
    const timeoutMs = Math.max(0, Number(job.data.config.timeout) || 0) * 1000;
    const until = Date.now() + timeoutMs * (deps.maxRedirects + 1) + deps.lockMs;
    const renewal = setInterval(() => {
      if (Date.now() > until) return clearInterval(renewal);
      store.renew(key, id, deps.lockMs).then((held) => {
        if (held) return;
        clearInterval(renewal);
        logger.warning(`Flow control: a slot of ${key} expired during its attempt (this worker was stalled for longer than LOCK_DURATION_MS)`);
      }, (err: unknown) => logger.warning(`Flow control: could not renew a slot of ${key}: ${messageOf(err)}`));
    }, Math.max(1, Math.floor(deps.lockMs / 2)));
    renewal.unref();
    return () => clearInterval(renewal);
  };

  const start = () => {
    if (timer) return;
    let running = false;
    const sweep = async () => {
      const byKey = new Map<FlowKey, string[]>();
      for (const { key, jobId } of await store.sweep(SWEEP_KEYS)) byKey.set(key, [...(byKey.get(key) ?? []), jobId]);
      await Promise.all([...byKey].map(([key, ids]) => wake(key, ids)));
    };
    timer = setInterval(() => {
      if (running) return;
      running = true;
      sweep()
        .catch((err: unknown) => logger.warning(`Flow control sweep failed: ${messageOf(err)}`))
        .finally(() => (running = false));
    }, SWEEP_MS);
    timer.unref();
  };
  let stopped = false;

  return {
    async admit(job, token, sleep) {
      const carried = job.data.qstash?.flow;
      if (!enabled && carried === undefined) return undefined;
      // Off but for QStash's flow control: its first message starts the sweep its waits need.
      if (!enabled && !stopped) start();
      const key = flowKeyOf(job.data.config);
      const limits = enabled ? limitsFor(settings, key) : UNLIMITED;
      const id = memberOf(job);
      const admission = await store.acquire(key, id, job.data.acceptedAt, limits, deps.lockMs, limits.concurrency > 0 || breaker.failures > 0, ownOf(carried));
      await wake(key, admission.woken);
      if (admission.verdict === 'go') {
        if (admission.waitedMs !== undefined) metrics?.slotWait.observe(admission.waitedMs / 1000);
        if (!admission.tracked) return NO_TICKET;
        const stopRenewing = renewing(key, id, job);
        return {
          async done(attempt) {
            stopRenewing();
            try {
              const { change, woken } = await store.release(key, id, breakerOutcome(attempt), breaker);
              await wake(key, woken);
              if (change !== '') {
                metrics?.breakerChanges.inc({ state: change });
                if (change === 'open') logger.warning(`Circuit breaker for ${key} opened after a failed attempt (${attempt.statusCode}); deliveries to it wait`);
                else logger.info(`Circuit breaker for ${key} closed: the target answered again`);
              }
            } catch (err) {
              // The slot then expires with the lock duration; the delivery itself is done.
              logger.error(`Flow control: could not release a slot of ${key}: ${messageOf(err)}`);
            }
          },
        };
      }
      if (admission.verdict === 'later') {
        metrics?.parked.inc({ reason: 'rate' });
        await job.moveToDelayed(Date.now() + admission.delayMs, token);
        throw new DelayedError();
      }
      metrics?.parked.inc({ reason: admission.reason });
      // Spread so that jobs parked together do not all come back together if never woken.
      await (sleep ?? ((until) => job.moveToDelayed(until, token)))(Date.now() + PARK_MS * (0.9 + Math.random() * 0.2));
      if (!(await store.parked(key, id))) await wake(key, [id]);
      throw new DelayedError();
    },
    start() {
      if (enabled) start();
    },
    stop() {
      stopped = true;
      clearInterval(timer);
      timer = undefined;
    },
  };
}
