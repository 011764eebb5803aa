import { describe, expect, it } from '@jest/globals';
import { MAX_RETRY_ON_ENTRIES, parseRetryOn, retriesOn } from './index.js';

describe('parseRetryOn', () => {
  it('reads statuses, classes and network, in any case, trimmed, repeats dropped', () => {
    expect(parseRetryOn(' 5XX, 429 ,,408,Network,429')).toEqual(['5xx', '429', '408', 'network']);
  });

  it.each([
    [' , ', /at least one/],
    ['5xx,6xx', /invalid entry "6xx"/],
    ['99', /invalid entry "99"/],
    ['600', /invalid entry "600"/],
    ['4x', /invalid entry "4x"/],
    ['timeout', /invalid entry "timeout"/],
    ['5xx 429', /invalid entry "5xx 429"/],
    [Array.from({ length: MAX_RETRY_ON_ENTRIES + 1 }, (_, i) => String(400 + i)).join(','), /at most 32 entries, got 33/],
  ])('refuses %j', (raw, problem) => {
    expect(parseRetryOn(raw)).toMatch(problem);
  });
});

describe('retriesOn', () => {
  const entries = ['5xx', '429', 'network'];

  it('retries a status in a listed class or listed itself', () => {
    expect(retriesOn(entries, 500)).toBe(true);
    expect(retriesOn(entries, 503)).toBe(true);
    expect(retriesOn(entries, 429)).toBe(true);
  });

  it('does not retry a status outside the list', () => {
    expect(retriesOn(entries, 404)).toBe(false);
    expect(retriesOn(entries, 428)).toBe(false);
    expect(retriesOn(['4xx'], 500)).toBe(false);
  });

  it('retries an attempt without an answer only when network is listed', () => {
    expect(retriesOn(entries, 'network')).toBe(true);
    expect(retriesOn(['5xx'], 'network')).toBe(false);
  });
});
