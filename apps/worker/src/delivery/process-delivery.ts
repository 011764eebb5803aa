import type { Job } from 'bullmq';
import type { Config } from '@knocker/config';
import type { FlowGate } from '@knocker/flow';
import type { DeliveryMetrics } from '@knocker/metrics';
import { catchesError, type HeaderPair } from '@knocker/protocol';
import { qstashCallbackTiming, retryDelayMsOf } from '@knocker/qstash';
import { callbackJobOptions, storedAttempt, successCallbackJobOptions, type DeliveryJob, type DeliveryResult, type JobContext } from '@knocker/queue';
import type { ErrorReporter, Logger } from '@knocker/telemetry';
import type { LogIds, Tracing } from '@knocker/tracing';
import { recordOf, type Attempt } from '../http/attempt.js';
import { deliver, type HttpClient } from '../http/call.js';
import { AttemptFailedError, EndedByKnockerError, EndedByReceiverError, ErrorCaughtError } from './errors.js';
import { endedByReceiver, retryAfterMs } from './retry-rules.js';
import type { Signer } from '../http/signing.js';
import { failureCallbackOf, successCallbackOf } from '../callbacks/payloads.js';
import { endCallSpan, withTraceparent } from '../http/call-span.js';
import { startAttemptSpans } from './attempt-span.js';
import { deliveryHeaders, qstashCallbackOf } from '../qstash.js';

export interface DeliveryDeps {
  http: HttpClient;
  logger: Logger;
  reporter: ErrorReporter;
  /** Off (`noTracing`): no span, no header, no field added. */
  tracing: Tracing;
  metrics: DeliveryMetrics;
  /** Per-key limits and the breaker; absent when none is configured, which costs nothing. */
  flow?: FlowGate | undefined;
  /** SIGNING_SECRETS; undefined when nothing is signed. */
  signer: Signer | undefined;
  /**
   * worker: MAX_STALLED_COUNT, RETRY_AFTER_MAX, SUCCESS_CALLBACK_MAX_BODY; protocol: HOSTS_ONLY,
   * checked again on every hop (the api checked only the first); telemetry: SENTRY_FAILED_REQUESTS;
   * qstash: the key that signs messages of the QStash door.
   */
  config: Pick<Config, 'worker' | 'protocol' | 'telemetry' | 'qstash'>;
}

/** Makes one attempt per call; BullMQ retries it with Knocker's backoff while attempts remain. */
export function createDeliveryProcessor(deps: DeliveryDeps) {
  const { maxStalledCount } = deps.config.worker.stalled;
  return async function processDelivery(job: Job<DeliveryJob>, ctx: JobContext, token?: string): Promise<DeliveryResult> {
    const { config, method, url, headers, body } = job.data;
    const n = job.attemptsMade + 1;
    const total = job.opts.attempts ?? 1;

    // Checked here rather than left to BullMQ, which would fail the job without running this
    // processor, and so without a callback. Stored before the job fails, like any callback.
    if (job.stalledCounter > maxStalledCount) {
      const error = `a worker died during ${job.stalledCounter} attempts (MAX_STALLED_COUNT ${maxStalledCount})`;
      const lost: Attempt = { ok: false, statusCode: 999, startedAt: Date.now(), durationMs: 0, error };
      deps.metrics.deliveries.inc({ outcome: 'failed', code: String(lost.statusCode) });
      await giveUp(deps, ctx, job, `Request #${config.id} (${n}/${total}): "${method} ${url}" given up`, lost, job.attemptsMade + job.stalledCounter, 'worker_lost');
      throw new EndedByKnockerError(error);
    }

    // Behind the head of its order line, the job sleeps until its turn (DelayedError, no attempt spent).
    if (job.data.orderKey !== undefined) await ctx.takeTurn(job, job.data.orderKey, token);
    // Over a limit, admit parks the job (no attempt spent) and throws BullMQ's DelayedError.
    const ticket = deps.flow ? await deps.flow.admit(job, token, (until) => ctx.sleepBehindFirstAttempts(job, until, token)) : undefined;
    const span = startAttemptSpans(deps.tracing, job, n, total);
    deps.metrics.inFlight.inc();
    const payload = Buffer.from(body, 'base64');
    const sent: HeaderPair[] = [...headers, ['x-knocker-id', config.id], ['x-knocker-attempt', String(n)]];
    if (job.data.qstash) sent.push(...deliveryHeaders(job.data, n - 1, deps.config.qstash.signingKeys.current, payload));
    const { signer } = deps;
    const attempt = await deliver(deps.http, {
      method, url, headers: withTraceparent(sent, span), body: payload, timeoutMs: config.timeout * 1000, hostsOnly: deps.config.protocol.hostsOnly,
      sign: signer ? (hop, hopBody) => signer.sign(config.id, hop, hopBody) : undefined,
      captureBody: config.success_callback === undefined ? undefined : deps.config.worker.successCallbackMaxBody,
    }).finally(() => deps.metrics.inFlight.dec());
    endCallSpan(span, attempt);
    // A callback's span is a child of the attempt that settled its request.
    const { logIds, traceparent } = span;
    if (ticket) await ticket.done(attempt);
    // A refused address or redirect, an error Knocker-Catch names and a receiver's No-Retry or
    // Retry-On are final, whatever attempts remain.
    const refused = attempt.code !== undefined;
    const caught = attempt.targetError !== undefined && catchesError(config.catch ?? [], attempt.targetError.code);
    const ended = attempt.ok ? undefined : endedByReceiver(config, attempt);
    const final = refused || caught || ended !== undefined || n >= total;
    const outcome = attempt.ok ? 'delivered' : final ? 'failed' : 'retried';
    deps.metrics.deliveries.inc({ outcome, code: String(attempt.statusCode) });
    deps.metrics.attemptDuration.observe({ outcome }, attempt.durationMs / 1000);
    const line = `Request #${config.id} (${n}/${total}): "${method} ${url}" ${attempt.statusCode}`;

    if (attempt.ok) {
      // Stored before the job completes; a retry after a crash here finds the same job id taken.
      if (config.success_callback !== undefined) {
        const callback = job.data.qstash ? qstashCallbackOf(job.data, attempt, n, false) : successCallbackOf(job.data, attempt, n);
        if (traceparent !== undefined) callback.trace = traceparent;
        await ctx.addCallback(callback, { ...successCallbackJobOptions(config), ...(job.data.qstash && qstashCallbackTiming(job.data, false)) });
      }
      // From when it was due: a delay the client asked for is not latency.
      deps.metrics.endToEnd.observe((Date.now() - Math.max(job.data.acceptedAt, job.data.notBefore ?? 0)) / 1000);
      deps.logger.info(`${line} done in ${attempt.durationMs} ms`, logIds);
      return { status_code: attempt.statusCode, attempts: n, attempt: recordOf(attempt, n) };
    }
    await ctx.recordFailure(job, { ...job.data, attempts: [...(job.data.attempts ?? []), storedAttempt(recordOf(attempt, n))] });
    if (!final) {
      deps.logger.warning(`${line} failed, will retry: ${attempt.error}`, logIds);
      // The target's Retry-After first; then a QStash message's Upstash-Retry-Delay, with `retried` the retries made.
      const asked = retryDelayMsOf(job.data.qstash?.retryDelay, n - 1, deps.config.protocol.backoffFactorMax * 1000);
      throw new AttemptFailedError(attempt, retryAfterMs(attempt, deps.config.worker.retryAfterMaxMs) ?? asked);
    }
    const why = refused ? 'refused, not retried' : caught ? 'failed, caught by Knocker-Catch, no more attempts'
      : ended ? `failed, ${ENDED_WHY[ended]}, no more attempts` : 'failed, no attempts left';
    await giveUp(deps, ctx, job, `${line} ${why}`, attempt, n, attempt.code ?? ended ?? attempt.cause, traceparent, logIds);
    if (refused) throw new EndedByKnockerError(attempt.error);
    if (ended) throw new EndedByReceiverError(attempt, ended);
    throw caught ? new ErrorCaughtError(attempt) : new AttemptFailedError(attempt);
  };
}

const ENDED_WHY = { no_retry: 'the target answered Knocker-No-Retry', outside_retry_on: 'not a failure Knocker-Retry-On retries' } as const;

async function giveUp(
  deps: DeliveryDeps, ctx: JobContext, job: Job<DeliveryJob>, line: string, last: Attempt, attempts: number, error?: string, trace?: string, logIds?: LogIds,
): Promise<void> {
  const { config, method, url } = job.data;
  deps.logger.warning(`${line}: ${last.error}`, logIds);
  // Stored before the job is marked failed: if this process dies in between, the job is
  // retried and the callback, keyed by the request id and its run, is not added twice.
  if (config.callback) {
    const replays = await ctx.replaysOf(config.id);
    const callback = job.data.qstash ? qstashCallbackOf(job.data, last, attempts, true) : failureCallbackOf(job.data, last, attempts, error);
    if (trace !== undefined) callback.trace = trace;
    await ctx.addCallback(callback, { ...callbackJobOptions(config, replays), ...(job.data.qstash && qstashCallbackTiming(job.data, true)) });
  }
  if (deps.config.telemetry.sentry.failedRequests) {
    deps.reporter.captureMessage(`Request failed: ${method} ${url} ${last.statusCode}`, { id: config.id, attempts, error: last.error });
  }
}
