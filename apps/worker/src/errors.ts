import { UnrecoverableError } from 'bullmq';
import type { Attempt } from './attempt.js';

/** Thrown to BullMQ so the job is retried or, with no attempts left, failed; carries the attempt. */
export class AttemptFailedError extends Error {
  readonly code = 'attempt_failed';
  readonly statusCode: number;
  constructor(readonly attempt: Attempt) {
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
