import { kindOf } from '@knocker/contract';

/** Every error the client throws. */
export class KnockerError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** What is wrong, field by field: a list of messages per field, as the api answers it. */
export type FieldErrors = Readonly<Record<string, readonly string[]>>;

/** An error answer of the api: its status, Knocker's code and the messages about each wrong field or header. */
export class KnockerApiError extends KnockerError {
  constructor(
    readonly status: number,
    readonly code: string,
    /** Keyed by the lower-case header name (`knocker-retries`) or by `path`, `id`, `body`… */
    readonly errors: FieldErrors,
  ) {
    super(`${status} ${code}: ${Object.entries(errors).flatMap(([field, problems]) => problems.map((p) => `${field} ${p}`)).join('; ')}`);
  }
}

/** The request was refused as it is (400, 405, 406, 408, 413, 431): sending it again unchanged will not help. */
export class KnockerRequestError extends KnockerApiError {}

/** A missing or wrong Knocker-Api-Key or Knocker-Admin-Key (401), or the admin routes are off (403). */
export class KnockerAuthError extends KnockerApiError {}

/** No such request (it was never accepted, or it was removed after RETAIN_*), or no such route. */
export class KnockerNotFoundError extends KnockerApiError {}

/** The request is not in a state that allows this (409): cancelling a delivered one, replaying one that did not fail. */
export class KnockerStateError extends KnockerApiError {}

/**
 * Knocker cannot take the request now: Redis is unreachable or the api is overloaded (503), or
 * MAX_INFLIGHT requests are in flight (429).
 * Send it again after `retryAfter` seconds, with the same id so it cannot be stored twice.
 */
export class KnockerUnavailableError extends KnockerApiError {
  constructor(status: number, code: string, errors: FieldErrors, readonly retryAfter: number | undefined) {
    super(status, code, errors);
  }
}

/** An unexpected error of the api (500) or an answer it could not finish in time (504). */
export class KnockerServerError extends KnockerApiError {}

/** No answer: the api could not be reached, the connection broke, or the client's timeout passed. */
export class KnockerNetworkError extends KnockerError {}

/** An answer that is not Knocker's (a proxy's error page, say). */
export class KnockerResponseError extends KnockerError {
  constructor(readonly status: number, readonly text: string) {
    super(`unexpected answer ${status}: ${text.slice(0, 200)}`);
  }
}

/** The typed error for an error answer whose body is Knocker's `{status: false, code, errors}`, by its code's kind (packages/contract). */
export function apiError(status: number, code: string, errors: FieldErrors, retryAfter: string | null): KnockerApiError {
  switch (kindOf(code, status)) {
    case 'unavailable': return new KnockerUnavailableError(status, code, errors, parseRetryAfter(retryAfter));
    case 'auth': return new KnockerAuthError(status, code, errors);
    case 'not_found': return new KnockerNotFoundError(status, code, errors);
    case 'state': return new KnockerStateError(status, code, errors);
    case 'server': return new KnockerServerError(status, code, errors);
    case 'request': return new KnockerRequestError(status, code, errors);
  }
}

/** Seconds, from a number of seconds or an HTTP date. */
function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}
