import { ERRORS, type ErrorCode } from './errors.js';

/**
 * An error answer's body. Each field holds a list of messages, as in Knocker 1.4.1 (whose
 * clients read `errors[field][0]`); Knocker itself gives one message per field.
 */
export interface ErrorBody {
  status: false;
  code: string;
  errors: Readonly<Record<string, readonly string[]>>;
}

export function errorBody(code: ErrorCode, errors: Readonly<Record<string, string>>): ErrorBody {
  return { status: false, code, errors: Object.fromEntries(Object.entries(errors).map(([field, problem]) => [field, [problem]])) };
}

/**
 * An answer the api gives instead of doing what was asked: its code decides the HTTP status
 * and any Retry-After; `errors` holds one message per wrong field.
 */
export class ApiError extends Error {
  readonly status: number;
  /** Seconds to send in Retry-After, for the codes that ask a client to come back. */
  readonly retryAfter: number | undefined;

  constructor(readonly code: ErrorCode, readonly errors: Readonly<Record<string, string>>) {
    super(Object.entries(errors).map(([field, problem]) => `${field}: ${problem}`).join('; '));
    this.name = new.target.name;
    const entry = ERRORS[code];
    this.status = entry.status;
    this.retryAfter = 'retryAfter' in entry ? entry.retryAfter : undefined;
  }

  body(): ErrorBody {
    return errorBody(this.code, this.errors);
  }
}
