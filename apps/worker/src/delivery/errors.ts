import { UnrecoverableError } from 'bullmq';
import type { Attempt } from '../http/attempt.js';
import type { EndedBy } from './retry-rules.js';

/** Thrown to BullMQ so the job is retried or, with no attempts left, failed; carries the attempt. */
export class AttemptFailedError extends Error {
  readonly code = 'attempt_failed';
  readonly statusCode: number;
  /** @param retryAfterMs the wait the answer's Retry-After asked for; the backoff strategy uses it instead of its own. */
  constructor(readonly attempt: Attempt, readonly retryAfterMs?: number) {
    super(`${attempt.statusCode} ${attempt.error ?? ''}`.trim());
    this.name = 'AttemptFailedError';
    this.statusCode = attempt.statusCode;
  }
}

/**
 * The target reported an error code the request's Knocker-Catch names: an UnrecoverableError,
 * so BullMQ fails the job at once instead of retrying it.
 */
export class ErrorCaughtError extends UnrecoverableError {
  readonly code = 'error_caught';
  readonly statusCode: number;
  constructor(readonly attempt: Attempt) {
    super(`${attempt.statusCode} ${attempt.error ?? ''} (caught by Knocker-Catch)`.trim());
    this.statusCode = attempt.statusCode;
  }
}

/**
 * The receiver ended the request: its answer said Knocker-No-Retry, or the failure is not one
 * the request's Knocker-Retry-On lists. Unrecoverable, so BullMQ does not retry it.
 */
export class EndedByReceiverError extends UnrecoverableError {
  readonly code: EndedBy;
  readonly statusCode: number;
  constructor(readonly attempt: Attempt, reason: EndedBy) {
    super(`${attempt.statusCode} ${attempt.error ?? ''} (${reason === 'no_retry' ? 'Knocker-No-Retry' : 'not in Knocker-Retry-On'})`.trim());
    this.code = reason;
    this.statusCode = attempt.statusCode;
  }
}
