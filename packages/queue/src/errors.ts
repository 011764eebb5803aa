import { ApiError } from '@knocker/contract';

/** Redis is unreachable, slow or refused the write: the request may not have been stored. */
export class QueueUnavailableError extends ApiError {
  constructor(detail: string) {
    super('queue_unavailable', { queue: `${detail}; the request may not have been stored, send it again later` });
  }
}
