import { describe, expect, it } from '@jest/globals';
import { retryDelayMs } from './index.js';

describe('retryDelayMs', () => {
  it('doubles the factor per retry and adds the jitter', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 0.5, 600, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect(retryDelayMs(3, 0.5, 600, () => 0.999)).toBe(2999);
  });

  it('waits up to a second even with factor 0, as Knocker does', () => {
    expect(retryDelayMs(5, 0, 600, () => 0.25)).toBe(250);
  });

  it('is capped by the maximum', () => {
    expect(retryDelayMs(20, 10, 600, () => 0.5)).toBe(600_000);
    expect(retryDelayMs(1, 5, 2, () => 0)).toBe(2000);
  });
});
