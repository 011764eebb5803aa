import { NETWORK, readRetryAfter, retriesOn, type KnockConfig } from '@knocker/protocol';
import type { Attempt } from '../http/attempt.js';

/** Why a failed attempt ends its request whatever attempts remain, as the failure callback says it. */
export type EndedBy = 'no_retry' | 'outside_retry_on';

/** The receiver's say on a failed attempt: its answer's Knocker-No-Retry, then the request's Knocker-Retry-On. */
export function endedByReceiver(config: Pick<KnockConfig, 'retry_on'>, attempt: Attempt): EndedBy | undefined {
  if (attempt.noRetry) return 'no_retry';
  if (config.retry_on && !retriesOn(config.retry_on, attempt.network ? NETWORK : attempt.statusCode)) return 'outside_retry_on';
  return undefined;
}

/** The wait a 429 or 503 answer asked for with Retry-After, at most `maxMs`; undefined when it asked none. */
export function retryAfterMs(attempt: Attempt, maxMs: number, now = Date.now()): number | undefined {
  if (attempt.retryAfter === undefined) return undefined;
  const wait = readRetryAfter(attempt.retryAfter, now);
  return wait === undefined ? undefined : Math.min(wait, maxMs);
}
