import { MetricsTime, Worker, type Job, type JobsOptions, type MinimalJob } from 'bullmq';
import type { Retention, StalledSettings } from '@knocker/config';
import { QUEUES } from '@knocker/keys';
import { keepJobs, shardRetention, type CallbackJob, type DeliveryJob, type DeliveryResult } from '../jobs.js';
import type { TickJob } from '../schedules.js';
import type { Shard } from '../shards/shard-set.js';
import { SCRIPTS, runScript } from '../scripts.js';
import { replaysOf } from './lifecycle.js';
import { leaveLine, ORDER_SWEEP_MS, sweepLines, takeTurn } from './order.js';
import type { StoreLog } from './request-store.js';

/** What a delivery's processor may do beside its job: on its request's shard, without knowing shards. */
export interface JobContext {
  /** Stores a callback beside the request it reports on. */
  addCallback(data: CallbackJob, opts: JobsOptions): Promise<void>;
  /** How many times the request was replayed: each run has its own callback. */
  replaysOf(requestId: string): Promise<number>;
  /**
   * Before an attempt of a request with an order key: returns when it is the head of its
   * line, else puts the job to sleep until its turn and throws BullMQ's DelayedError.
   */
  takeTurn(job: Job<DeliveryJob>, orderKey: string, token: string | undefined): Promise<void>;
  /**
   * Stores the job's data with its failed attempt added, and puts its retry behind first
   * attempts: when many retries come due at once (a target back from an outage), new requests
   * are still taken first. One write, as `job.updateData` was.
   */
  recordFailure(job: Job<DeliveryJob>, data: DeliveryJob): Promise<void>;
  /**
   * Puts an active job to sleep until `untilMs` or until woken (flow control), behind first
   * attempts as a retry is: a key resumed after a pause, or whose breaker closes, then wakes its
   * whole backlog without holding up new requests to other targets. Throws as `moveToDelayed`.
   */
  sleepBehindFirstAttempts(job: Job<DeliveryJob>, untilMs: number, token: string | undefined): Promise<void>;
}

export interface Processors {
  delivery(job: Job<DeliveryJob>, ctx: JobContext, token?: string): Promise<DeliveryResult>;
  callback(job: Job<CallbackJob>): Promise<unknown>;
  /** Absent when schedules are off: no ticks are consumed. */
  tick?: ((job: Job<TickJob>) => Promise<unknown>) | undefined;
}

export interface ConsumerSettings {
  concurrency: number;
  stalled: StalledSettings;
  /** RETAIN_*, for the whole deployment: each shard keeps its share. */
  retention: Retention;
  /** The wait before a retry, from the attempts made, the error and the job's backoff factor. */
  backoff(attemptsMade: number, err: Error | undefined, factor: number): number;
  /** Hears how long each ordered request was the head of its line (seconds), once it leaves it. */
  headLeft?: (seconds: number) => void;
}

export interface Consumers {
  /** False once closing, or if BullMQ stopped consuming. */
  isRunning(): boolean;
  /** Stops taking jobs and waits for active ones; jobs still running after `timeoutMs` are left to stall and be retried elsewhere. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * BullMQ workers for the delivery and callback queues of shards, each shard once, and for the
 * ticks of schedules; `consume` takes shards found later too. Any number of processes share
 * the queues.
 */
export function startConsumers(
  processors: Processors, settings: ConsumerSettings, ctx: { connection: Shard['redis']; prefix: string; shards: number; log: StoreLog },
): Consumers & { consume(shards: readonly Shard[]): void } {
  const { maxStalledCount } = settings.stalled;
  const common = {
    concurrency: settings.concurrency,
    // Kept by BullMQ per minute, with a running total the status endpoint reports as "processed".
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    lockDuration: settings.stalled.lockDurationMs,
    stalledInterval: settings.stalled.stalledIntervalMs,
    // One above ours, so that the processors, which send the failure callback, are the ones to
    // give a job up; BullMQ would fail it without running them.
    maxStalledCount: maxStalledCount + 1,
    // RETAIN_*: applied by the workers to every job they finish, delivered or failed.
    ...keepJobs(shardRetention(settings.retention, ctx.shards)),
  };
  const backoff = (factorOf: (job: MinimalJob) => number) => (attemptsMade: number, _type?: string, err?: Error, job?: MinimalJob) =>
    settings.backoff(attemptsMade, err, job ? factorOf(job) : 0);

  const workers: Worker[] = [];
  const watch = (w: Worker, where = '') => {
    w.on('error', (err) => ctx.log.error(`Queue ${w.name}${where}: ${err.message}`));
    workers.push(w);
  };
  const consumed = new Set<string>();
  const sweeps: NodeJS.Timeout[] = [];
  // An ordered request leaves its line once BullMQ has stored its end, never before: a worker
  // dying in between leaves a finished head, which the next in line or the sweep clears.
  const followLines = (shard: Shard, w: Worker<DeliveryJob>, where: string) => {
    const leave = (job: Job<DeliveryJob>) => {
      const { orderKey } = job.data;
      if (orderKey === undefined || job.id === undefined) return;
      leaveLine(shard, job.id, orderKey).then((ms) => {
        if (ms !== undefined) settings.headLeft?.(ms / 1000);
      }, (err: Error) => ctx.log.warning(`Order line ${orderKey}${where}: not left by ${job.id} (the sweep will): ${err.message}`));
    };
    w.on('completed', leave);
    // Also heard for a failed attempt that will be retried: the job then still holds its line.
    w.on('failed', (job) => void (job?.finishedOn ? leave(job) : undefined));
    let sweeping = false;
    const sweep = setInterval(() => {
      if (sweeping) return;
      sweeping = true;
      sweepLines(shard).then((dropped) => {
        for (const ms of dropped) settings.headLeft?.(ms / 1000);
      }).catch((err: Error) => ctx.log.debug(`Order lines${where} not swept: ${err.message}`)).finally(() => (sweeping = false));
    }, ORDER_SWEEP_MS);
    sweep.unref();
    sweeps.push(sweep);
  };
  // A shard's callbacks stay in its shard, beside the request they report on.
  const consume = (shards: readonly Shard[]) => {
    for (const shard of shards) {
      // Once per shard: a second set of workers on it would only double its connections.
      if (consumed.has(shard.prefix)) continue;
      consumed.add(shard.prefix);
      const context: JobContext = {
        addCallback: async (data, opts) => void (await shard.callback.add(data.kind === 'success' ? 'success-callback' : 'callback', data, opts)),
        replaysOf: (id) => replaysOf(shard, id),
        takeTurn: (job, orderKey, token) => takeTurn(shard, job, orderKey, token, settings.headLeft),
        recordFailure: async (job, data) => {
          job.data = data;
          await runScript(shard.redis, SCRIPTS.recordFailure, [shard.keys.job(job.id!)], [JSON.stringify(data), BEHIND_FIRST_ATTEMPTS]);
        },
        sleepBehindFirstAttempts: async (job, untilMs, token) => {
          // Active and locked, so its hash is there: neither cancel nor removal takes an active job.
          if (Number(job.priority) !== BEHIND_FIRST_ATTEMPTS) await shard.redis.hset(shard.keys.job(job.id!), 'priority', BEHIND_FIRST_ATTEMPTS);
          job.priority = BEHIND_FIRST_ATTEMPTS;
          await job.moveToDelayed(untilMs, token);
        },
      };
      const opts = { ...common, connection: shard.redis, prefix: shard.prefix };
      const where = shard.count === 1 ? '' : ` (shard ${shard.index + 1} of ${shard.count})`;
      const deliveries = new Worker<DeliveryJob>(QUEUES.delivery, (job, token) => processors.delivery(boundTraces(job), context, token), {
        ...opts, settings: { backoffStrategy: backoff((job) => (job.data as DeliveryJob).config.backoff_factor) },
      });
      watch(deliveries, where);
      followLines(shard, deliveries, where);
      watch(new Worker<CallbackJob>(QUEUES.callback, (job) => processors.callback(boundTraces(job)), {
        ...opts, settings: { backoffStrategy: backoff((job) => (job.data as CallbackJob).backoff_factor) },
      }), where);
    }
  };

  // Ticks only add a request each: a few at a time are plenty, and they take no delivery slot.
  const { tick } = processors;
  if (tick) watch(new Worker<TickJob>(QUEUES.schedule, (job) => tick(job), { ...common, connection: ctx.connection, prefix: ctx.prefix, concurrency: 5 }));

  let closing: Promise<void> | undefined;
  return {
    consume: (shards) => {
      if (closing === undefined) consume(shards);
    },
    isRunning: () => closing === undefined && workers.every((w) => w.isRunning()),
    close(timeoutMs) {
      closing ??= (async () => {
        for (const sweep of sweeps) clearInterval(sweep);
        const graceful = Promise.allSettled(workers.map((w) => w.close()));
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, timeoutMs, 'timeout')));
        if ((await Promise.race([graceful, deadline])) === 'timeout') {
          ctx.log.warning(`Active deliveries did not finish within ${timeoutMs} ms; they will be retried by another worker`);
          await Promise.allSettled(workers.map((w) => w.close(true)));
        }
        clearTimeout(timer);
      })();
      return closing;
    },
  };
}

/** Any priority above 0: BullMQ takes prioritized jobs only when none waits without one. */
const BEHIND_FIRST_ATTEMPTS = 1;

/**
 * BullMQ appends the stack of every failed attempt to the job, without a bound unless the job's
 * options set one. Set here, in the worker's copy of the options, rather than stored with each
 * job: an unexpected error keeps its last trace, expected failures carry none (the processors'
 * errors have no stack), so a request waiting between attempts does not grow with each one.
 */
function boundTraces<J extends Job>(job: J): J {
  job.opts.stackTraceLimit = 1;
  return job;
}
