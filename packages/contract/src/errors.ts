/**
 * What kind of refusal an error code is; a client decides from it what to do next: fix the
 * request (`request`), the credentials (`auth`), the id or path (`not_found`), wait for another
 * state (`state`), send again later (`unavailable`), or tell the operators (`server`).
 */
export type ErrorKind = 'request' | 'auth' | 'not_found' | 'state' | 'unavailable' | 'server';

export interface ErrorEntry {
  status: number;
  kind: ErrorKind;
  /** Seconds sent in Retry-After with this code. */
  retryAfter?: number;
  /** When it is answered, as the OpenAPI document says it. */
  description: string;
}

/**
 * Every code an error answer of Knocker can carry: the one table the error classes, the
 * answers built inline (Node's parse errors, the write timeout), the OpenAPI document and the
 * client's error types are derived from. A code is never renamed: clients switch on it.
 */
export const ERRORS = {
  invalid_request: { status: 400, kind: 'request', description: 'a header, the path, the id or a log line is wrong; `errors` names each one' },
  malformed_request: { status: 400, kind: 'request', description: 'not valid HTTP (a control character in a header); `errors` names the header when it can be told' },
  unauthorized: { status: 401, kind: 'auth', description: '`Knocker-Api-Key`, `Knocker-Admin-Key` or `?api-key=` is missing or wrong' },
  admin_disabled: { status: 403, kind: 'auth', description: 'no ADMIN_API_KEY is configured, so the admin routes are off' },
  not_found: { status: 404, kind: 'not_found', description: 'no request has this id, no group this name, or the path names no route' },
  unknown_check: { status: 404, kind: 'not_found', description: 'no health check at this path' },
  method_not_allowed: { status: 405, kind: 'request', description: 'another method on a reserved route (see the Allow header)' },
  loop_detected: { status: 406, kind: 'request', description: 'the request carries x-knocker, it already went through a Knocker' },
  request_timeout: { status: 408, kind: 'request', description: 'the request did not arrive within READ_TIMEOUT' },
  invalid_state: { status: 409, kind: 'state', description: 'the request is not in a state that allows this' },
  schedules_full: { status: 409, kind: 'state', description: 'a Knocker-Cron over SCHEDULES_MAX schedules (or SCHEDULES_MAX is 0)' },
  groups_full: { status: 409, kind: 'state', description: 'a group over GROUPS_MAX groups, or an endpoint over GROUP_ENDPOINTS_MAX in its group' },
  group_empty: { status: 409, kind: 'state', description: 'a Knocker-Group naming a group without endpoints' },
  flow_control_off: { status: 409, kind: 'state', description: 'a pause asked of a Knocker without flow control' },
  payload_too_large: { status: 413, kind: 'request', description: 'the body is larger than MAX_BODY_SIZE' },
  log_full: { status: 413, kind: 'request', description: 'the log line would pass REQUEST_LOG_MAX_LINES or REQUEST_LOG_MAX_BYTES' },
  too_many_requests: { status: 429, kind: 'unavailable', retryAfter: 1, description: 'MAX_INFLIGHT requests are in flight (Retry-After: 1)' },
  headers_too_large: { status: 431, kind: 'request', description: 'the headers are larger than 16 KB' },
  internal_error: { status: 500, kind: 'server', description: 'an unexpected error, reported to the operators' },
  overloaded: {
    status: 503, kind: 'unavailable', retryAfter: 1,
    description: 'the api is past its capacity (MAX_EVENT_LOOP_DELAY_MS or MAX_ANSWER_DELAY_MS), Retry-After says when to come back; nothing was stored',
  },
  queue_unavailable: {
    status: 503, kind: 'unavailable', retryAfter: 1,
    description: 'Redis is unreachable or slow (Retry-After: 1); the request may not be stored, send it again with the same Knocker-Id',
  },
  write_timeout: { status: 504, kind: 'server', description: 'the answer was not finished within WRITE_TIMEOUT' },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERRORS;

const entries: Readonly<Record<string, ErrorEntry>> = ERRORS;

/** The entry of a code, if it is one of Knocker's. */
export function errorEntry(code: string): ErrorEntry | undefined {
  return Object.hasOwn(entries, code) ? entries[code] : undefined;
}

/**
 * What an error answer amounts to: its code's kind, or for a code this table does not know (a
 * newer Knocker's), what its status says.
 */
export function kindOf(code: string, status: number): ErrorKind {
  const known = errorEntry(code);
  if (known) return known.kind;
  if (status === 503 || status === 429) return 'unavailable';
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not_found';
  if (status === 409) return 'state';
  return status >= 500 ? 'server' : 'request';
}
