import { ApiError } from '@knocker/contract';

// The api's own refusals: of its door (keys, size, load) and of its admin routes. The
// protocol's (headers) and the queue's (Redis) are theirs; every one is an ApiError whose
// code decides its status (packages/contract).

/** Relaying needs an api key (KNOCKER_API_KEYS) and none or a wrong one was given. */
export class UnauthorizedError extends ApiError {
  constructor(errors: Readonly<Record<string, string>>) {
    super('unauthorized', errors);
  }
}

export class PayloadTooLargeError extends ApiError {
  constructor(limit: number) {
    super('payload_too_large', { body: `must be at most ${limit} bytes (MAX_BODY_SIZE)` });
  }
}

/** The api is past its capacity (MAX_EVENT_LOOP_DELAY_MS, MAX_ANSWER_DELAY_MS): answering now beats queueing in memory. */
export class OverloadedError extends ApiError {
  /** `why`: what said so, e.g. `event loop 80 ms late, MAX_EVENT_LOOP_DELAY_MS`. */
  constructor(why: string) {
    super('overloaded', { server: `the api is past its capacity (${why}); retry after the Retry-After delay` });
  }
}

/** MAX_INFLIGHT requests are already being handled; the client should come back shortly. */
export class TooManyRequestsError extends ApiError {
  constructor(limit: number) {
    super('too_many_requests', { server: `more than ${limit} requests in flight (MAX_INFLIGHT); retry after the Retry-After delay` });
  }
}

/** No or a wrong `Knocker-Admin-Key` on a route that needs the admin credential. */
export class AdminKeyError extends ApiError {
  constructor(presented: boolean) {
    super('unauthorized', { 'knocker-admin-key': presented ? 'does not match ADMIN_API_KEY' : 'is required: send the admin credential (ADMIN_API_KEY)' });
  }
}

/** The admin routes exist but nobody can use them: no ADMIN_API_KEY is configured. */
export class AdminDisabledError extends ApiError {
  constructor() {
    super('admin_disabled', { 'knocker-admin-key': 'the admin routes are off: set ADMIN_API_KEY on the api to turn them on' });
  }
}

export class RequestNotFoundError extends ApiError {
  constructor(id: string) {
    super('not_found', { id: `no request ${JSON.stringify(id)} is known: it was never accepted, or it finished and was removed (RETAIN_*)` });
  }
}

/** The request is not in a state that allows what was asked (retry, cancel). */
export class RequestStateError extends ApiError {
  constructor(state: string, rule: string) {
    super('invalid_state', { state: `is ${state}; ${rule}` });
  }
}

/** A log line that would take a request's log past its bounds. */
export class RequestLogFullError extends ApiError {
  constructor(errors: Readonly<Record<string, string>>) {
    super('log_full', errors);
  }
}

export class MethodNotAllowedError extends ApiError {
  constructor(method: string, allowed: readonly string[]) {
    super('method_not_allowed', { method: `${method} is not allowed here; use ${allowed.join(' or ')}` });
  }
}

/** A path under Knocker's reserved prefix that names no route. */
export class RouteNotFoundError extends ApiError {
  constructor(hint: string) {
    super('not_found', { path: `no such route; ${hint}` });
  }
}

export class ScheduleNotFoundError extends ApiError {
  constructor(id: string) {
    super('not_found', { id: `no schedule ${JSON.stringify(id)} is known` });
  }
}

/** SCHEDULES_MAX schedules exist already (or it is 0: schedules are off). */
export class ScheduleLimitError extends ApiError {
  constructor(max: number) {
    super('schedules_full', {
      'knocker-cron': max === 0
        ? 'schedules are off on this Knocker (SCHEDULES_MAX=0)'
        : `${max} schedules exist already (SCHEDULES_MAX); delete one, or replace one by sending its Knocker-Id`,
    });
  }
}

export class GroupNotFoundError extends ApiError {
  /** `field`: `knocker-group` on the relay, `name` or `endpoint` on the admin routes. */
  constructor(field: string, what: string) {
    super('not_found', { [field]: `no ${what} is known` });
  }
}

/** A Knocker-Group naming a group whose endpoints were all removed: nothing to send to. */
export class GroupEmptyError extends ApiError {
  constructor(name: string) {
    super('group_empty', { 'knocker-group': `group ${JSON.stringify(name)} has no endpoints; add one with PUT <prefix>/groups/${name}/endpoints/<name>` });
  }
}

/** GROUPS_MAX groups exist already, or the group holds GROUP_ENDPOINTS_MAX endpoints. */
export class GroupsFullError extends ApiError {
  constructor(field: string, rule: string) {
    super('groups_full', { [field]: rule });
  }
}
