import { ApiError } from '@knocker/contract';

/**
 * A publish or a route's input refused, every problem named by its header or field. The door
 * answers it as QStash answers errors, `{"error": "<header>: <problem>"}`, with 400.
 */
export class QstashRequestError extends ApiError {
  constructor(problems: Readonly<Record<string, string>>) {
    super('invalid_request', problems);
  }
}
