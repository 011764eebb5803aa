import { describe, expect, it } from '@jest/globals';
import { readRetryAfter } from './index.js';

const now = Date.parse('2026-12-01T12:00:00Z');

describe('readRetryAfter', () => {
  it('reads whole seconds', () => {
    expect(readRetryAfter('0', now)).toBe(0);
    expect(readRetryAfter(' 120 ', now)).toBe(120_000);
  });

  it('reads an HTTP date as the time left until it', () => {
    expect(readRetryAfter('Tue, 01 Dec 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(readRetryAfter('Tuesday, 01-Dec-26 12:01:00 GMT', now)).toBe(60_000);
  });

  it('reads a date already past as no wait', () => {
    expect(readRetryAfter('Tue, 01 Dec 2026 11:00:00 GMT', now)).toBe(0);
  });

  it.each(['', '1.5', '-3', 'soon', '2026-12-01T12:00:30Z', 'Tue, 99 Foo 2026'])('cannot read %j', (value) => {
    expect(readRetryAfter(value, now)).toBeUndefined();
  });
});
