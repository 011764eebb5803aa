import { describe, expect, it } from '@jest/globals';
import { parseDuration, readNotBefore } from './index.js';

const NOW = 1_800_000_000_000;
const WEEK = 7 * 24 * 3600;

function read(delay?: string, notBefore?: string, max = WEEK) {
  const errors: Record<string, string> = {};
  const at = readNotBefore({ delay, notBefore }, NOW, max, errors);
  return { at, errors };
}

describe('parseDuration', () => {
  it.each([
    ['90', 90], ['1.5', 1.5], ['.5', 0.5], ['0', 0], ['30s', 30], ['5m', 300], ['2h', 7200], ['1d', 86400],
    ['1h30m', 5400], ['1d2h3m4s', 93784], ['2m0.5s', 120.5], [' 5M ', 300],
  ])('reads %j as %d seconds', (raw, seconds) => {
    expect(parseDuration(raw)).toBe(seconds);
  });

  it.each(['', 's', '-5', '5 m', '30m1h', '1h1h', '1w', '1.5h', 'ten', '1e3', '0x10', 'Infinity'])('refuses %j', (raw) => {
    expect(parseDuration(raw)).toBeUndefined();
  });
});

describe('readNotBefore', () => {
  it('is undefined without either header', () => {
    expect(read()).toEqual({ at: undefined, errors: {} });
  });

  it('adds the delay to now, to the millisecond', () => {
    expect(read('1.5').at).toBe(NOW + 1500);
    expect(read('1h30m').at).toBe(NOW + 5_400_000);
  });

  it('takes the unix time of Knocker-Not-Before over the delay', () => {
    expect(read('1h', String(NOW / 1000 + 60)).at).toBe(NOW + 60_000);
  });

  it('treats a time in the past as now', () => {
    expect(read(undefined, '1000').at).toBe(NOW);
  });

  it('allows exactly DELAY_MAX and refuses beyond it, naming the header and the variable', () => {
    expect(read(String(WEEK)).at).toBe(NOW + WEEK * 1000);
    expect(read('8d').errors['knocker-delay']).toMatch(/at most 604800 seconds \(DELAY_MAX\)/);
    expect(read(undefined, String(NOW / 1000 + WEEK + 1)).errors['knocker-not-before']).toMatch(/DELAY_MAX/);
    expect(read('10s', undefined, 5).errors['knocker-delay']).toMatch(/at most 5 seconds/);
  });

  it('names a malformed header', () => {
    expect(read('soon').errors).toEqual({ 'knocker-delay': expect.stringContaining('"soon"') });
    expect(read(undefined, '2030-01-01').errors).toEqual({ 'knocker-not-before': expect.stringContaining('unix time') });
    expect(read(undefined, '-1').errors['knocker-not-before']).toBeDefined();
  });
});
