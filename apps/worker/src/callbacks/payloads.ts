import type { HeaderPair } from '@knocker/protocol';
import type { DeliveryJob, FailureCallbackJob, SuccessCallbackJob } from '@knocker/queue';
import type { Attempt } from '../http/attempt.js';

// The callback body is JSON whatever the request's body was, so its own content headers go;
// and the callback is another host than the target: the credentials meant for the target stay.
const NOT_FOR_CALLBACK = new Set(['content-type', 'content-encoding', 'authorization', 'cookie', 'proxy-authorization']);

/**
 * What every callback carries: JSON, Knocker's origin mark, and the request's forwarded headers
 * (Knocker's way) but for the target's credentials.
 */
export function callbackHeaders(job: DeliveryJob): HeaderPair[] {
  return [
    ['content-type', 'application/json'],
    ['x-knocker-origin', 'knocker'],
    ...job.headers.filter(([name]) => !NOT_FOR_CALLBACK.has(name)),
  ];
}

/** The failure callback of a request whose last attempt was `last`; `error` when it ended before its attempts were spent. */
export function failureCallbackOf(job: DeliveryJob, last: Attempt, attempts: number, error: string | undefined): FailureCallbackJob {
  const { callback, ...config } = job.config;
  const reported = last.targetError ? { error_code: last.targetError.code, error_message: last.targetError.message } : {};
  return {
    url: callback ?? '',
    headers: callbackHeaders(job),
    payload: { config, method: job.method, url: job.url, status_code: last.statusCode, attempts, ...reported, ...(error !== undefined && { error }) },
    backoff_factor: job.config.backoff_factor,
  };
}

/** The success callback of a delivered request, from the attempt that succeeded (its answer captured). */
export function successCallbackOf(job: DeliveryJob, attempt: Attempt, attempts: number): SuccessCallbackJob {
  const answer = attempt.answer;
  return {
    kind: 'success',
    url: job.config.success_callback ?? '',
    headers: callbackHeaders(job),
    payload: {
      id: job.config.id,
      url: job.url,
      method: job.method,
      status_code: attempt.statusCode,
      attempts,
      duration_ms: attempt.durationMs,
      headers: answer?.headers ?? [],
      body: answer?.body.toString('base64') ?? '',
      body_truncated: answer?.truncated ?? false,
    },
    backoff_factor: job.config.backoff_factor,
    timeout: job.config.timeout,
  };
}
