import type { Job, Queue } from 'bullmq';
import { callbackJobOptions, type CallbackJob, type DeliveryJob, type Retention } from '@knocker/queue';
import type { DeliveryMetrics } from '@knocker/metrics';
import type { HeaderPair } from '@knocker/protocol';
import type { ErrorReporter, Logger } from '@knocker/telemetry';
import { deliver, type HttpClient } from './deliver.js';
import { AttemptFailedError } from './errors.js';

export interface DeliveryDeps {
  http: HttpClient;
  callbacks: Queue<CallbackJob>;
  retention: Retention;
  logger: Logger;
  reporter: ErrorReporter;
  /** SENTRY_FAILED_REQUESTS: report every request whose attempts were all spent. */
  reportFailedRequests: boolean;
  metrics: DeliveryMetrics;
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
    deps.metrics.inFlight.inc();
    const attempt = await deliver(deps.http, { method, url, headers, body: Buffer.from(body, 'base64'), timeoutMs: config.timeout * 1000 })
      .finally(() => deps.metrics.inFlight.dec());
    const outcome = attempt.ok ? 'delivered' : n < total ? 'retried' : 'failed';
    deps.metrics.deliveries.inc({ outcome, code: String(attempt.statusCode) });
    deps.metrics.attemptDuration.observe({ outcome }, attempt.durationMs / 1000);
    const line = `Request #${config.id} (${n}/${total}): "${method} ${url}" ${attempt.statusCode}`;

    if (attempt.ok) {
      deps.metrics.endToEnd.observe((Date.now() - job.data.acceptedAt) / 1000);
      deps.logger.info(`${line} done in ${attempt.durationMs} ms`);
      return { status_code: attempt.statusCode, attempts: n };
    }
    if (n < total) {
      deps.logger.warning(`${line} failed, will retry: ${attempt.error}`);
      throw new AttemptFailedError(attempt);
    }

    deps.logger.warning(`${line} failed, no attempts left: ${attempt.error}`);
    // Stored before the job is marked failed: if this process dies in between, the job is
    // retried and the callback, keyed by the request id, is not added twice.
    if (config.callback) await deps.callbacks.add('callback', callbackJobOf(job.data, attempt.statusCode), callbackJobOptions(config, deps.retention));
    if (deps.reportFailedRequests) deps.reporter.captureMessage(`Request failed: ${method} ${url} ${attempt.statusCode}`, { id: config.id, attempts: n, error: attempt.error });
    throw new AttemptFailedError(attempt);
  };
}

// The callback body is JSON whatever the request's body was, so its own content headers go.
const NOT_FOR_CALLBACK = new Set(['content-type', 'content-encoding']);

function callbackJobOf(job: DeliveryJob, statusCode: number): CallbackJob {
  const { callback, ...config } = job.config;
  const headers: HeaderPair[] = [
    ['content-type', 'application/json'],
    ['x-knocker-origin', 'knocker'],
    ...job.headers.filter(([name]) => !NOT_FOR_CALLBACK.has(name)),
  ];
  return {
    url: callback ?? '',
    headers,
    payload: { config, method: job.method, url: job.url, status_code: statusCode },
    backoff_factor: job.config.backoff_factor,
  };
}
