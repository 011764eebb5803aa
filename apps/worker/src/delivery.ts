import { UnrecoverableError, type Job, type Queue } from 'bullmq';
import { callbackJobOptions, type CallbackJob, type DeliveryJob, type Retention } from '@knocker/queue';
import type { DeliveryMetrics } from '@knocker/metrics';
import type { HeaderPair } from '@knocker/protocol';
import type { ErrorReporter, Logger } from '@knocker/telemetry';
import { deliver, type HttpClient } from './deliver.js';
import { AttemptFailedError } from './errors.js';
import type { Attempt } from './attempt.js';

export interface DeliveryDeps {
  http: HttpClient;
  callbacks: Queue<CallbackJob>;
  retention: Retention;
  logger: Logger;
  reporter: ErrorReporter;
  /** SENTRY_FAILED_REQUESTS: report every request whose attempts were all spent. */
  reportFailedRequests: boolean;
  metrics: DeliveryMetrics;
  /** MAX_STALLED_COUNT: attempts a dying worker may interrupt before the request is given up. */
  maxStalledCount: number;
}

export interface DeliveryResult {
  status_code: number;
  attempts: number;
}

/** Makes one attempt per call; BullMQ retries it with Knocker's backoff while attempts remain. */
export function createDeliveryProcessor(deps: DeliveryDeps) {
  return async function processDelivery(job: Job<DeliveryJob>): Promise<DeliveryResult> {
    const { config, method, url, headers, body } = job.data;
    const n = job.attemptsMade + 1;
    const total = job.opts.attempts ?? 1;

    // Checked here rather than left to BullMQ, which would fail the job without running this
    // processor, and so without a callback. Stored before the job fails, like any callback.
    if (job.stalledCounter > deps.maxStalledCount) {
      const lost: Attempt = { ok: false, statusCode: 999, durationMs: 0, error: `a worker died during ${job.stalledCounter} attempts (MAX_STALLED_COUNT ${deps.maxStalledCount})` };
      await giveUp(deps, job, `Request #${config.id} (${n}/${total}): "${method} ${url}" given up`, lost, 'worker_lost');
      throw new UnrecoverableError(lost.error);
    }

    deps.metrics.inFlight.inc();
    const attempt = await deliver(deps.http, { method, url, headers, body: Buffer.from(body, 'base64'), timeoutMs: config.timeout * 1000 })
      .finally(() => deps.metrics.inFlight.dec());
    // A refused address is final: no retry follows, whatever attempts remain.
    const outcome = attempt.ok ? 'delivered' : n < total && attempt.code !== 'address_refused' ? 'retried' : 'failed';
    deps.metrics.deliveries.inc({ outcome, code: String(attempt.statusCode) });
    deps.metrics.attemptDuration.observe({ outcome }, attempt.durationMs / 1000);
    const line = `Request #${config.id} (${n}/${total}): "${method} ${url}" ${attempt.statusCode}`;

    if (attempt.ok) {
      deps.metrics.endToEnd.observe((Date.now() - job.data.acceptedAt) / 1000);
      deps.logger.info(`${line} done in ${attempt.durationMs} ms`);
      return { status_code: attempt.statusCode, attempts: n };
    }
    if (attempt.code === 'address_refused') {
      await giveUp(deps, job, `${line} refused, not retried`, attempt, attempt.code);
      throw new UnrecoverableError(attempt.error);
    }
    if (n < total) {
      deps.logger.warning(`${line} failed, will retry: ${attempt.error}`);
      throw new AttemptFailedError(attempt);
    }
    await giveUp(deps, job, `${line} failed, no attempts left`, attempt);
    throw new AttemptFailedError(attempt);
  };
}

async function giveUp(deps: DeliveryDeps, job: Job<DeliveryJob>, line: string, attempt: Attempt, error?: string): Promise<void> {
  const { config, method, url } = job.data;
  deps.logger.warning(`${line}: ${attempt.error}`);
  // Stored before the job is marked failed: if this process dies in between, the job is
  // retried and the callback, keyed by the request id, is not added twice.
  if (config.callback) await deps.callbacks.add('callback', callbackJobOf(job.data, attempt.statusCode, error), callbackJobOptions(config, deps.retention));
  if (deps.reportFailedRequests) {
    deps.reporter.captureMessage(`Request failed: ${method} ${url} ${attempt.statusCode}`, { id: config.id, attempts: job.attemptsMade + 1, error: attempt.error });
  }
}

// The callback body is JSON whatever the request's body was, so its own content headers go.
const NOT_FOR_CALLBACK = new Set(['content-type', 'content-encoding']);

function callbackJobOf(job: DeliveryJob, statusCode: number, error: string | undefined): CallbackJob {
  const { callback, ...config } = job.config;
  const headers: HeaderPair[] = [
    ['content-type', 'application/json'],
    ['x-knocker-origin', 'knocker'],
    ...job.headers.filter(([name]) => !NOT_FOR_CALLBACK.has(name)),
  ];
  return {
    url: callback ?? '',
    headers,
    payload: { config, method: job.method, url: job.url, status_code: statusCode, ...(error !== undefined && { error }) },
    backoff_factor: job.config.backoff_factor,
  };
}
