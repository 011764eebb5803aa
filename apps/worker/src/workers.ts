import { MetricsTime, Worker, type MinimalJob } from 'bullmq';
import { createFlowGate, createFlowStore, createWaker, flowEnabled, type FlowMetrics, type FlowSettings } from '@knocker/flow';
import type { DeliveryMetrics, ScheduleMetrics } from '@knocker/metrics';
import { createAddressPolicy, createGuardedAgents, type PolicyOptions } from '@knocker/netguard';
import { retryDelayMs } from '@knocker/protocol';
import {
  QUEUES, keepJobs, replaysOf, type CallbackJob, type Connection, type DeliveryJob, type Queues, type Retention, type Schedules, type Shard, type TickJob,
} from '@knocker/queue';
import type { Egress } from '@knocker/egress';
import type { ErrorReporter, Logger } from '@knocker/telemetry';
import { createCallbackProcessor } from './callback.js';
import { createHttpClient } from './deliver.js';
import { createDeliveryProcessor } from './delivery.js';
import { AttemptFailedError } from './errors.js';
import { createSigner } from './signing.js';
import { createTickProcessor } from './ticks.js';

export interface WorkerDeps {
  connection: Connection;
  /** Callback jobs are added through these; on the worker connection they wait out a Redis blip. */
  queues: Pick<Queues, 'all' | 'forId'>;
  concurrency: number;
  maxRedirects: number;
  /** HOSTS_ONLY: every hop of a delivery must go to one of these (empty: any). */
  hostsOnly: readonly string[];
  backoffFactorMax: number;
  /** RETRY_AFTER_MAX in ms. */
  retryAfterMaxMs: number;
  /** SIGNING_SECRETS, decoded; empty when nothing is signed. */
  signingKeys: readonly Buffer[];
  successCallbackMaxBody: number;
  retention: Retention;
  logger: Logger;
  reporter: ErrorReporter;
  reportFailedRequests: boolean;
  metrics: DeliveryMetrics;
  /** Absent when SCHEDULES_MAX is 0: no ticks are consumed. */
  schedules: { store: Schedules; metrics: ScheduleMetrics } | undefined;
  stalled: { lockDurationMs: number; stalledIntervalMs: number; maxStalledCount: number };
  network: PolicyOptions;
  /** QUEUE_PREFIX: flow control keeps its state under it, apart from the shards. */
  queuePrefix: string;
  flow: FlowSettings;
  flowMetrics?: FlowMetrics;
  /** EGRESS_PROXY, TARGET_TLS, TARGET_AUTH; undefined when none is set. */
  egress?: Egress | undefined;
}

export interface RunningWorkers {
  /** False once closing, or if BullMQ stopped consuming. */
  isRunning(): boolean;
  /** Also consumes these shards (of another layout found in Redis); those it consumes already are skipped. */
  consume(shards: readonly Shard[]): void;
  /** Stops taking jobs and waits for active ones; jobs still running after `timeoutMs` are left to stall and be retried elsewhere. */
  close(timeoutMs: number): Promise<void>;
}

/** Starts consuming the delivery and callback queues of every shard; any number of these share the queues. */
export function startWorkers(deps: WorkerDeps): RunningWorkers {
  const agents = deps.egress?.agents ?? createGuardedAgents(createAddressPolicy(deps.network));
  const http = createHttpClient({ maxRedirects: deps.maxRedirects, agents, auth: deps.egress?.auth });
  // Tokens are for targets: callbacks never carry them.
  const callbackHttp = { ...http, auth: undefined };
  const { maxStalledCount } = deps.stalled;
  const common = {
    connection: deps.connection,
    concurrency: deps.concurrency,
    // Kept by BullMQ per minute, with a running total the status endpoint reports as "processed".
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
    lockDuration: deps.stalled.lockDurationMs,
    stalledInterval: deps.stalled.stalledIntervalMs,
    // One above ours, so that the processors, which send the failure callback, are the ones to
    // give a job up; BullMQ would fail it without running them.
    maxStalledCount: maxStalledCount + 1,
    // RETAIN_*: applied by the workers to every job they finish, delivered or failed.
    ...keepJobs(deps.retention),
  };
  // A wait the target asked for with Retry-After replaces Knocker's backoff for that retry.
  const signer = createSigner(deps.signingKeys);
  const backoff = (factorOf: (job: MinimalJob) => number) => (attemptsMade: number, _type?: string, err?: Error, job?: MinimalJob) =>
    err instanceof AttemptFailedError && err.retryAfterMs !== undefined ? err.retryAfterMs
      : retryDelayMs(attemptsMade, job ? factorOf(job) : 0, deps.backoffFactorMax);

  // Only built when a limit or the breaker is configured: otherwise deliveries never ask Redis.
  // One gate for every shard: flow keys are counted across all of them.
  const consumed: Shard[] = [];
  const flow = flowEnabled(deps.flow)
    ? createFlowGate({
      store: createFlowStore(deps.connection, deps.queuePrefix), settings: deps.flow, lockMs: deps.stalled.lockDurationMs, maxRedirects: deps.maxRedirects,
      wake: createWaker(() => consumed.map((shard) => shard.delivery)), logger: deps.logger, metrics: deps.flowMetrics,
    })
    : undefined;
  flow?.start();
  const workers: Worker[] = [];
  // A shard's callbacks stay in its shard, beside the request they report on.
  const consume = (shards: readonly Shard[]) => {
    for (const shard of shards) {
      // Once per shard: a second set of workers on it would only double its connections.
      if (consumed.some((c) => c.prefix === shard.prefix)) continue;
      consumed.push(shard);
      const deliveries = new Worker<DeliveryJob>(
        QUEUES.delivery,
        createDeliveryProcessor({
          ...deps, http, callbacks: shard.callback, maxStalledCount, replaysOf: (id) => replaysOf(shard.redis, shard.delivery, id), flow, signer,
        }),
        { ...common, prefix: shard.prefix, settings: { backoffStrategy: backoff((job) => (job.data as DeliveryJob).config.backoff_factor) } },
      );
      const callbacks = new Worker<CallbackJob>(
        QUEUES.callback,
        createCallbackProcessor({ ...deps, http: callbackHttp, maxStalledCount, signer }),
        { ...common, prefix: shard.prefix, settings: { backoffStrategy: backoff((job) => (job.data as CallbackJob).backoff_factor) } },
      );
      const where = shard.count === 1 ? '' : ` (shard ${shard.index + 1} of ${shard.count})`;
      for (const w of [deliveries, callbacks]) {
        w.on('error', (err) => deps.logger.error(`Queue ${w.name}${where}: ${err.message}`));
        workers.push(w);
      }
    }
  };
  consume(deps.queues.all);
  // Ticks only add a request each: a few at a time are plenty, and they take no delivery slot.
  if (deps.schedules) {
    const ticks = new Worker<TickJob>(
      QUEUES.schedule,
      createTickProcessor({
        schedules: deps.schedules.store, deliveryFor: (id) => deps.queues.forId(id).delivery, logger: deps.logger,
        ticks: deps.schedules.metrics.ticks,
      }),
      { ...common, prefix: deps.queuePrefix, concurrency: 5 },
    );
    ticks.on('error', (err) => deps.logger.error(`Queue ${ticks.name}: ${err.message}`));
    workers.push(ticks);
  }

  let closing: Promise<void> | undefined;
  return {
    isRunning: () => closing === undefined && workers.every((w) => w.isRunning()),
    consume: (shards) => {
      if (closing === undefined) consume(shards);
    },
    close(timeoutMs) {
      closing ??= (async () => {
        flow?.stop();
        const graceful = Promise.allSettled(workers.map((w) => w.close()));
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, timeoutMs, 'timeout')));
        if ((await Promise.race([graceful, deadline])) === 'timeout') {
          deps.logger.warning(`Active deliveries did not finish within ${timeoutMs} ms; they will be retried by another worker`);
          await Promise.allSettled(workers.map((w) => w.close(true)));
        }
        clearTimeout(timer);
        agents.http.destroy();
        agents.https.destroy();
        deps.egress?.close();
      })();
      return closing;
    },
  };
}
