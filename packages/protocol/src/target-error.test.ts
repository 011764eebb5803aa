import { describe, expect, it } from '@jest/globals';
import { NO_ERROR_CODE, readTargetError } from './index.js';

describe('readTargetError', () => {
  it('is absent when the answer carries neither header, or only empty ones', () => {
    expect(readTargetError({ 'content-type': 'text/plain' })).toBeUndefined();
    expect(readTargetError({ 'knocker-error-code': ' ', 'knocker-error-message': '' })).toBeUndefined();
  });

  it('reads the code and the message', () => {
    expect(readTargetError({ 'knocker-error-code': 'request.failure', 'knocker-error-message': ' Failed to complete request ' }))
      .toEqual({ code: 'request.failure', message: 'Failed to complete request' });
  });

  it('records a code without a message', () => {
    expect(readTargetError({ 'knocker-error-code': 'request.failure' })).toEqual({ code: 'request.failure', message: null });
  });

  it('gives a message without a code a code that says the target gave none', () => {
    expect(readTargetError({ 'knocker-error-message': 'oops' })).toEqual({ code: NO_ERROR_CODE, message: 'oops' });
  });

  it('joins repeated values and bounds what it keeps', () => {
    expect(readTargetError({ 'knocker-error-code': ['a', 'b'] })?.code).toBe('a, b');
    const long = readTargetError({ 'knocker-error-code': 'c'.repeat(1000), 'knocker-error-message': 'm'.repeat(5000) });
    expect(long?.code).toHaveLength(256);
    expect(long?.message).toHaveLength(2048);
    expect(long?.message?.endsWith('…')).toBe(true);
  });
});
