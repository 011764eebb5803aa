import { UnrecoverableError } from 'bullmq';
import type { Attempt } from '../http/attempt.js';
import type { EndedBy } from './retry-rules.js';

/**
 * An expected failure (the target said no, or could not be reached) carries its reason in its
 * message and no stack: BullMQ stores the stack of each failed attempt in the job, where during
 * an outage a trace per attempt would be most of a waiting request's memory, and would stand in
 * Bull Board where the attempt's reason should.
 */
export function withoutStack<E extends Error>(err: E): E {
  err.stack = undefined;
  return err;
}

/** Knocker's own end to a request (a refused address, a worker lost too often): unrecoverable, expected. */
export class EndedByKnockerError extends UnrecoverableError {
  constructor(message: string | undefined) {
    super(message);
    withoutStack(this);
  }
}

/** Thrown to BullMQ so the job is retried or, with no attempts left, failed; carries the attempt. */
export class AttemptFailedError extends Error {
  readonly code = 'attempt_failed';
  readonly statusCode: number;
  /** @param retryAfterMs the wait the answer's Retry-After asked for; the backoff strategy uses it instead of its own. */
  constructor(readonly attempt: Attempt, readonly retryAfterMs?: number) {
    super(`${attempt.statusCode} ${attempt.error ?? ''}`.trim());
    this.name = 'AttemptFailedError';
    this.statusCode = attempt.statusCode;
    withoutStack(this);
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
    withoutStack(this);
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
    withoutStack(this);
  }
}
