import type { Job } from 'bullmq';
import type { Config } from '@knocker/config';
import type { DeliveryMetrics } from '@knocker/metrics';
import { retryDelayMsOf } from '@knocker/qstash';
import type { CallbackJob } from '@knocker/queue';
import type { ErrorReporter, Logger } from '@knocker/telemetry';
import type { Tracing } from '@knocker/tracing';
import { deliver, type HttpClient } from '../http/call.js';
import { AttemptFailedError, EndedByKnockerError } from '../delivery/errors.js';
import type { Signer } from '../http/signing.js';
import { retryAfterMs } from '../delivery/retry-rules.js';
import { endCallSpan, startCallSpan, withTraceparent } from '../http/call-span.js';
import { callbackSignature } from '../qstash.js';

export interface CallbackDeps {
  http: HttpClient;
  logger: Logger;
  reporter: ErrorReporter;
  tracing: Tracing;
  metrics: Pick<DeliveryMetrics, 'callbacks'>;
  signer: Signer | undefined;
  /**
   * worker: MAX_STALLED_COUNT and RETRY_AFTER_MAX; qstash: the key that signs QStash callbacks;
   * protocol: RETRIES_BACKOFF_FACTOR_MAX, the cap on an Upstash-Callback-Retry-Delay.
   */
  config: Pick<Config, 'worker' | 'qstash' | 'protocol'>;
}

/**
 * Tells `Knocker-Callback` that a request failed, or `Knocker-Success-Callback` that it was
 * delivered; retried like the request itself.
 */
export function createCallbackProcessor(deps: CallbackDeps) {
  const { stalled, retryAfterMaxMs } = deps.config.worker;
  return async function processCallback(job: Job<CallbackJob>): Promise<{ status_code: number }> {
    const { url, headers, payload } = job.data;
    const { kind } = job.data;
    const { id, timeout } = kind === 'success' ? { id: job.data.payload.id, timeout: job.data.timeout } : kind === 'qstash' ? job.data : job.data.payload.config;
    const what = `${kind === 'success' ? 'Success callback' : kind === 'qstash' ? 'QStash callback' : 'Callback'} for request #${id}`;
    const n = job.attemptsMade + 1;
    const total = job.opts.attempts ?? 1;
    if (job.stalledCounter > stalled.maxStalledCount) {
      deps.logger.error(`${what}: a worker died during ${job.stalledCounter} attempts, giving up`);
      throw new EndedByKnockerError('worker lost too often (MAX_STALLED_COUNT)');
    }
    const method = kind === 'qstash' ? job.data.method ?? 'POST' : 'POST';
    const body = Buffer.from(JSON.stringify(payload));
    const sent = kind === 'qstash' ? [...headers, ...callbackSignature(url, deps.config.qstash.signingKeys.current, body)] : headers;
    // Signed as the callback job it is: its id is the same on every attempt, and differs from
    // the request's, so a receiver deduplicating on webhook-id keeps both.
    const { signer } = deps;
    const span = startCallSpan(deps.tracing, 'callback', { method, url, parent: job.data.trace, attempt: n }, { 'knocker.id': id, 'knocker.callback': job.data.kind ?? 'failure' });
    const attempt = await deliver(deps.http, {
      method, url, headers: withTraceparent(sent, span), body, timeoutMs: timeout * 1000, sign: signer ? (hop, hopBody) => signer.sign(job.id ?? id, hop, hopBody) : undefined,
    });
    endCallSpan(span, attempt);
    const { logIds } = span;
    const refused = attempt.code !== undefined;
    deps.metrics.callbacks.inc({ outcome: attempt.ok ? 'delivered' : n < total && !refused ? 'retried' : 'failed' });
    const line = `${what} (${n}/${total}): "${method} ${url}" ${attempt.statusCode}`;
    if (attempt.ok) {
      deps.logger.info(`${line} done`, logIds);
      return { status_code: attempt.statusCode };
    }
    if (n < total && !refused) deps.logger.warning(`${line} failed, will retry: ${attempt.error}`, logIds);
    else {
      deps.logger.error(`${line} ${refused ? 'refused, not retried' : 'failed, no attempts left'}: ${attempt.error}`, logIds);
      deps.reporter.captureMessage(`Callback failed: ${method} ${url} ${attempt.statusCode}`, { id, attempts: n });
    }
    if (refused) throw new EndedByKnockerError(attempt.error);
    // The target's Retry-After first; then a QStash callback's Upstash-Callback-Retry-Delay.
    const asked = retryDelayMsOf(kind === 'qstash' ? job.data.retryDelay : undefined, n - 1, deps.config.protocol.backoffFactorMax * 1000);
    throw new AttemptFailedError(attempt, retryAfterMs(attempt, retryAfterMaxMs) ?? asked);
  };
}
