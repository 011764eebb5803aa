import type { BreakerOutcome } from './store.js';

/**
 * What an attempt tells the breaker. Network errors, 5xx and 429 say the target is in
 * trouble; any other answer, 4xx included, says it is up. A refused address never reached it.
 */
export function breakerOutcome(attempt: { ok: boolean; statusCode: number; code?: string }): BreakerOutcome {
  if (attempt.code === 'address_refused') return 'none';
  if (attempt.ok) return 'ok';
  return attempt.statusCode >= 500 || attempt.statusCode === 429 ? 'fail' : 'ok';
}
