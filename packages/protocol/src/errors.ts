import { ApiError } from '@knocker/contract';

/** A Knocker-* header, the path or an id is wrong; `errors` names each one. */
export class InvalidRequestError extends ApiError {
  constructor(errors: Readonly<Record<string, string>>) {
    super('invalid_request', errors);
  }
}

/** The request already went through a Knocker: relaying it again could loop forever. */
export class LoopDetectedError extends ApiError {
  constructor() {
    super('loop_detected', { 'x-knocker': 'the request already passed through a Knocker; refusing to relay it again' });
  }
}
