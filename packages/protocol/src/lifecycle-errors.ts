import { KnockerError } from './errors.js';

/** No or a wrong `Knocker-Admin-Key` on a route that needs the admin credential. */
export class AdminKeyError extends KnockerError {
  readonly status = 401;
  readonly code = 'unauthorized';
  constructor(presented: boolean) {
    super({ 'knocker-admin-key': presented ? 'does not match ADMIN_API_KEY' : 'is required: send the admin credential (ADMIN_API_KEY)' });
  }
}

/** The admin routes exist but nobody can use them: no ADMIN_API_KEY is configured. */
export class AdminDisabledError extends KnockerError {
  readonly status = 403;
  readonly code = 'admin_disabled';
  constructor() {
    super({ 'knocker-admin-key': 'the admin routes are off: set ADMIN_API_KEY on the api to turn them on' });
  }
}

export class RequestNotFoundError extends KnockerError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor(id: string) {
    super({ id: `no request ${JSON.stringify(id)} is known: it was never accepted, or it finished and was removed (RETAIN_*)` });
  }
}

/** The request is not in a state that allows what was asked (retry, cancel). */
export class RequestStateError extends KnockerError {
  readonly status = 409;
  readonly code = 'invalid_state';
  constructor(state: string, rule: string) {
    super({ state: `is ${state}; ${rule}` });
  }
}

/** A log line that would take a request's log past its bounds. */
export class RequestLogFullError extends KnockerError {
  readonly status = 413;
  readonly code = 'log_full';
}

export class MethodNotAllowedError extends KnockerError {
  readonly status = 405;
  readonly code = 'method_not_allowed';
  constructor(method: string, allowed: readonly string[]) {
    super({ method: `${method} is not allowed here; use ${allowed.join(' or ')}` });
  }
}

/** A path under Knocker's reserved prefix that names no route. */
export class RouteNotFoundError extends KnockerError {
  readonly status = 404;
  readonly code = 'not_found';
  constructor(hint: string) {
    super({ path: `no such route; ${hint}` });
  }
}
