import { MetricsTime, Worker, type MinimalJob } from 'bullmq';
import type { Redis } from 'ioredis';
import { retryDelayMs } from '@knocker/protocol';
import { createQueues, QUEUES, replaysOf, type CallbackJob, type DeliveryJob, type Retention } from '@knocker/queue';
import type { ErrorReporter, Logger } from '@knocker/telemetry';
import { createCallbackProcessor } from './callback.js';
import { createHttpClient } from './deliver.js';
import { createDeliveryProcessor } from './delivery.js';

export interface WorkerDeps {
  connection: Redis;
  prefix: string;
  concurrency: number;
  maxRedirects: number;
  backoffFactorMax: number;
  retention: Retention;
  logger: Logger;
  reporter: ErrorReporter;
  reportFailedRequests: boolean;
}

export interface RunningWorkers {
  /** Stops taking jobs and waits for active ones; jobs still running after `timeoutMs` are left to stall and be retried elsewhere. */
  close(timeoutMs: number): Promise<void>;
}

/** Starts consuming the delivery and callback queues; any number of these share the queues. */
export function startWorkers(deps: WorkerDeps): RunningWorkers {
  const http = createHttpClient({ maxRedirects: deps.maxRedirects });
  // Callback jobs are added through the worker connection: it waits out a Redis blip instead of failing.
  const producer = createQueues(deps.connection, deps.prefix);
  const common = {
    connection: deps.connection,
    prefix: deps.prefix,
    concurrency: deps.concurrency,
    // Kept by BullMQ per minute, with a running total the status endpoint reports as "processed".
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
  };
  const backoff = (factorOf: (job: MinimalJob) => number) => (attemptsMade: number, _type?: string, _err?: Error, job?: MinimalJob) =>
    retryDelayMs(attemptsMade, job ? factorOf(job) : 0, deps.backoffFactorMax);

  const deliveries = new Worker<DeliveryJob>(
    QUEUES.delivery,
    createDeliveryProcessor({
      ...deps, http, callbacks: producer.callback, replaysOf: (id) => replaysOf(deps.connection, producer.delivery, id),
    }),
    { ...common, settings: { backoffStrategy: backoff((job) => (job.data as DeliveryJob).config.backoff_factor) } },
  );
  const callbacks = new Worker<CallbackJob>(
    QUEUES.callback,
    createCallbackProcessor({ ...deps, http }),
    { ...common, settings: { backoffStrategy: backoff((job) => (job.data as CallbackJob).backoff_factor) } },
  );
  for (const w of [deliveries, callbacks]) {
    w.on('error', (err) => deps.logger.error(`Queue ${w.name}: ${err.message}`));
  }

  let closing: Promise<void> | undefined;
  return {
    close(timeoutMs) {
      closing ??= (async () => {
        const graceful = Promise.allSettled([deliveries.close(), callbacks.close()]);
        let timer: NodeJS.Timeout | undefined;
        const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, timeoutMs, 'timeout')));
        if ((await Promise.race([graceful, deadline])) === 'timeout') {
          deps.logger.warning(`Active deliveries did not finish within ${timeoutMs} ms; they will be retried by another worker`);
          await Promise.allSettled([deliveries.close(true), callbacks.close(true)]);
        }
        clearTimeout(timer);
        await producer.close();
      })();
      return closing;
    },
  };
}
