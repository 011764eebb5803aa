import type { Job, Queue } from 'bullmq';
import { callbackJobOptions, type CallbackJob, type DeliveryJob, type DeliveryResult, type Retention } from '@knocker/queue';
import { catchesError, type HeaderPair } from '@knocker/protocol';
import type { ErrorReporter, Logger } from '@knocker/telemetry';
import { recordOf, type Attempt } from './attempt.js';
import { deliver, type HttpClient } from './deliver.js';
import { AttemptFailedError, ErrorCaughtError } from './errors.js';

export interface DeliveryDeps {
  http: HttpClient;
  callbacks: Queue<CallbackJob>;
  retention: Retention;
  logger: Logger;
  reporter: ErrorReporter;
  /** SENTRY_FAILED_REQUESTS: report every request whose attempts were all spent. */
  reportFailedRequests: boolean;
  /** How many times the request was replayed: each run has its own callback. */
  replaysOf: (requestId: string) => Promise<number>;
}

/** Makes one attempt per call; BullMQ retries it with Knocker's backoff while attempts remain. */
export function createDeliveryProcessor(deps: DeliveryDeps) {
  return async function processDelivery(job: Job<DeliveryJob>): Promise<DeliveryResult> {
    const { config, method, url, headers, body } = job.data;
    const n = job.attemptsMade + 1;
    const total = job.opts.attempts ?? 1;
    const attempt = await deliver(deps.http, {
      method, url, headers: [...headers, ['x-knocker-id', config.id], ['x-knocker-attempt', String(n)]], body: Buffer.from(body, 'base64'), timeoutMs: config.timeout * 1000,
    });
    const line = `Request #${config.id} (${n}/${total}): "${method} ${url}" ${attempt.statusCode}`;

    if (attempt.ok) {
      deps.logger.info(`${line} done in ${attempt.durationMs} ms`);
      return { status_code: attempt.statusCode, attempts: n, attempt: recordOf(attempt, n) };
    }
    await job.updateData({ ...job.data, attempts: [...(job.data.attempts ?? []), recordOf(attempt, n)] });
    const caught = attempt.targetError !== undefined && catchesError(config.catch ?? [], attempt.targetError.code);
    if (!caught && n < total) {
      deps.logger.warning(`${line} failed, will retry: ${attempt.error}`);
      throw new AttemptFailedError(attempt);
    }

    deps.logger.warning(`${line} failed, ${caught ? 'caught by Knocker-Catch, no more attempts' : 'no attempts left'}: ${attempt.error}`);
    // Stored before the job is marked failed: if this process dies in between, the job is
    // retried and the callback, keyed by the request id and its run, is not added twice.
    if (config.callback) {
      const replays = await deps.replaysOf(config.id);
      await deps.callbacks.add('callback', callbackJobOf(job.data, attempt, n), callbackJobOptions(config, deps.retention, replays));
    }
    if (deps.reportFailedRequests) deps.reporter.captureMessage(`Request failed: ${method} ${url} ${attempt.statusCode}`, { id: config.id, attempts: n, error: attempt.error });
    throw caught ? new ErrorCaughtError(attempt) : new AttemptFailedError(attempt);
  };
}

// The callback body is JSON whatever the request's body was, so its own content headers go.
const NOT_FOR_CALLBACK = new Set(['content-type', 'content-encoding']);

function callbackJobOf(job: DeliveryJob, last: Attempt, attempts: number): CallbackJob {
  const { callback, ...config } = job.config;
  const headers: HeaderPair[] = [
    ['content-type', 'application/json'],
    ['x-knocker-origin', 'knocker'],
    ...job.headers.filter(([name]) => !NOT_FOR_CALLBACK.has(name)),
  ];
  const reported = last.targetError ? { error_code: last.targetError.code, error_message: last.targetError.message } : {};
  return {
    url: callback ?? '',
    headers,
    payload: { config, method: job.method, url: job.url, status_code: last.statusCode, attempts, ...reported },
    backoff_factor: job.config.backoff_factor,
  };
}
