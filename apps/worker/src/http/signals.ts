import type { Attempt } from './attempt.js';

type AnswerHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * Notes on a failed attempt what its answer asks of the retries: `Knocker-No-Retry: true`, and
 * `Retry-After` on the two statuses that define it as a wait (429, 503). Two header look-ups
 * when the answer has neither, so a plain failure costs no more than before.
 */
export function readRetrySignals(attempt: Attempt, headers: AnswerHeaders): Attempt {
  const noRetry = headers['knocker-no-retry'];
  if (noRetry !== undefined && String(noRetry).trim().toLowerCase() === 'true') attempt.noRetry = true;
  // QStash's receivers say the same with a 489; looked at only on that status.
  if (attempt.statusCode === 489 && String(headers['upstash-nonretryable-error']).trim().toLowerCase() === 'true') attempt.noRetry = true;
  if (attempt.statusCode === 429 || attempt.statusCode === 503) {
    const after = headers['retry-after'];
    if (typeof after === 'string') attempt.retryAfter = after;
  }
  return attempt;
}
