import { ApiError, ORDER_LINE_MAX } from '@knocker/contract';

/** Redis is unreachable, slow or refused the write: the request may not have been stored. */
export class QueueUnavailableError extends ApiError {
  constructor(detail: string) {
    super('queue_unavailable', { queue: `${detail}; the request may not have been stored, send it again later` });
  }
}

/** The order key's line is full: the request was not stored. */
export class OrderLineFullError extends ApiError {
  constructor(orderKey: string) {
    super('order_line_full', { 'knocker-order-key': `${JSON.stringify(orderKey)} has ${ORDER_LINE_MAX} requests in its line (ORDER_LINE_MAX); send it again once some are delivered` });
  }
}
