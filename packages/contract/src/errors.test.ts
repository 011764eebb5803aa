import { describe, expect, it } from '@jest/globals';
import { ApiError, ERRORS, errorBody, kindOf, type ErrorCode } from './index.js';

const codes = Object.keys(ERRORS) as ErrorCode[];

describe('the error table', () => {
  it('holds refusals only, each kind with the statuses a client can tell it by', () => {
    for (const code of codes) {
      const { status, kind } = ERRORS[code];
      expect([code, status >= 400 && status <= 599]).toEqual([code, true]);
      // A client that does not know a code yet still reads the right kind from the status.
      expect([code, kindOf('a-newer-code', status)]).toEqual([code, kind]);
    }
  });

  it('asks to come back later only with the statuses that mean it', () => {
    const later = codes.filter((c) => 'retryAfter' in ERRORS[c]);
    expect(later.sort()).toEqual(['order_line_full', 'overloaded', 'queue_unavailable', 'too_many_requests']);
    expect(later.every((c) => ERRORS[c].kind === 'unavailable')).toBe(true);
  });
});

describe('ApiError', () => {
  it('takes its status and Retry-After from its code, and answers a list of messages per field', () => {
    const err = new ApiError('queue_unavailable', { queue: 'Redis is down' });
    expect([err.status, err.retryAfter, err.message]).toEqual([503, 1, 'queue: Redis is down']);
    expect(err.body()).toEqual({ status: false, code: 'queue_unavailable', errors: { queue: ['Redis is down'] } });
    expect(new ApiError('invalid_request', { a: 'x' }).retryAfter).toBeUndefined();
    expect(errorBody('not_found', { id: 'gone', path: 'none' })).toEqual({ status: false, code: 'not_found', errors: { id: ['gone'], path: ['none'] } });
  });
});
