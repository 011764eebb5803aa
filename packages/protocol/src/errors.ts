/** An answer the api gives instead of accepting a request; carries its HTTP status and JSON body. */
export abstract class KnockerError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  constructor(readonly errors: Readonly<Record<string, string>>) {
    super(Object.entries(errors).map(([field, problem]) => `${field}: ${problem}`).join('; '));
    this.name = new.target.name;
  }
  body(): { status: false; code: string; errors: Readonly<Record<string, string>> } {
    return { status: false, code: this.code, errors: this.errors };
  }
}

export class InvalidRequestError extends KnockerError {
  readonly status = 400;
  readonly code = 'invalid_request';
}

/** Relaying needs an api key (KNOCKER_API_KEYS) and none or a wrong one was given. */
export class UnauthorizedError extends KnockerError {
  readonly status = 401;
  readonly code = 'unauthorized';
}

/** The request already went through a Knocker: relaying it again could loop forever. */
export class LoopDetectedError extends KnockerError {
  readonly status = 406;
  readonly code = 'loop_detected';
  constructor() {
    super({ 'x-knocker': 'the request already passed through a Knocker; refusing to relay it again' });
  }
}

export class PayloadTooLargeError extends KnockerError {
  readonly status = 413;
  readonly code = 'payload_too_large';
  constructor(limit: number) {
    super({ body: `must be at most ${limit} bytes (MAX_BODY_SIZE)` });
  }
}

export class QueueUnavailableError extends KnockerError {
  readonly status = 503;
  readonly code = 'queue_unavailable';
  constructor(detail: string) {
    super({ queue: `${detail}; the request may not have been stored, send it again later` });
  }
}

/** The api is past its capacity (MAX_EVENT_LOOP_DELAY_MS, MAX_ANSWER_DELAY_MS): answering now beats queueing in memory. */
export class OverloadedError extends KnockerError {
  readonly status = 503;
  readonly code = 'overloaded';
  /** `why`: what said so, e.g. `event loop 80 ms late, MAX_EVENT_LOOP_DELAY_MS`. */
  constructor(why: string) {
    super({ server: `the api is past its capacity (${why}); retry after the Retry-After delay` });
  }
}

/** MAX_INFLIGHT requests are already being handled; the client should come back shortly. */
export class TooManyRequestsError extends KnockerError {
  readonly status = 429;
  readonly code = 'too_many_requests';
  constructor(limit: number) {
    super({ server: `more than ${limit} requests in flight (MAX_INFLIGHT); retry after the Retry-After delay` });
  }
}
