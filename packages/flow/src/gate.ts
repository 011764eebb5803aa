import { DelayedError, type Job } from 'bullmq';
import type { DeliveryJob } from '@knocker/queue';
import { breakerOutcome } from './breaker.js';
import { flowKeyOf } from './key.js';
import { limitsFor, type FlowSettings } from './limits.js';
import type { FlowMetrics } from './metrics.js';
import type { FlowStore } from './store.js';
import { memberOf } from './wake.js';

/** How long a waiting job sleeps if no wake-up ever comes: the last resort if flow state is lost. */
export const PARK_MS = 3_600_000;
const SWEEP_MS = 1000;
const SWEEP_KEYS = 100;

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
  wake: (jobIds: readonly string[]) => Promise<void>;
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
   */
  admit(job: Job<DeliveryJob>, token: string | undefined): Promise<Ticket | undefined>;
  /** Runs the safety sweep until `stop`. */
  start(): void;
  stop(): void;
}

const NO_TICKET: Ticket = { done: async () => undefined };

export function createFlowGate(deps: FlowGateDeps): FlowGate {
  const { store, settings, logger, metrics } = deps;
  const breaker = settings.breaker;
  let timer: NodeJS.Timeout | undefined;
  const wake = (ids: readonly string[]) => (ids.length === 0 ? Promise.resolve() : deps.wake(ids));


  return {
    async admit(job, token) {
      const key = flowKeyOf(job.data.config);
      const limits = limitsFor(settings, key);
      const track = limits.concurrency > 0 || breaker.failures > 0;
      const id = memberOf(job);
      const admission = await store.acquire(key, id, job.data.acceptedAt, limits, deps.lockMs, track);
      await wake(admission.woken);
      if (admission.verdict === 'go') {
        if (admission.waitedMs !== undefined) metrics?.slotWait.observe(admission.waitedMs / 1000);
        if (!track) return NO_TICKET;
        return {
          async done(attempt) {
            try {
              const { change, woken } = await store.release(key, id, breakerOutcome(attempt), breaker);
              await wake(woken);
              if (change !== '') {
                metrics?.breakerChanges.inc({ state: change });
                if (change === 'open') logger.warning(`Circuit breaker for ${key} opened after a failed attempt (${attempt.statusCode}); deliveries to it wait`);
                else logger.info(`Circuit breaker for ${key} closed: the target answered again`);
              }
            } catch (err) {
              // The slot then expires with the lock duration; the delivery itself is done.
              logger.error(`Flow control: could not release a slot of ${key}: ${err instanceof Error ? err.message : String(err)}`);
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
      await job.moveToDelayed(Date.now() + PARK_MS * (0.9 + Math.random() * 0.2), token);
      if (!(await store.parked(key, id))) await wake([id]);
      throw new DelayedError();
    },
    start() {
      if (timer) return;
      let running = false;
      timer = setInterval(() => {
        if (running) return;
        running = true;
        store.sweep(SWEEP_KEYS).then(wake)
          .catch((err: unknown) => logger.warning(`Flow control sweep failed: ${err instanceof Error ? err.message : String(err)}`))
          .finally(() => (running = false));
      }, SWEEP_MS);
      timer.unref();
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
    },
  };
}
