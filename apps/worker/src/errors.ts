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
