import { describe, expect, it } from '@jest/globals';
import { catchesError, MAX_CATCH_PATTERNS, parseCatchPatterns } from './index.js';

describe('parseCatchPatterns', () => {
  it('splits on commas, trims, drops empty entries and repeats', () => {
    expect(parseCatchPatterns(' request.* ,, com.example.error,request.*')).toEqual(['request.*', 'com.example.error']);
  });

  it.each([
    [' , ', /at least one pattern/],
    ['a b', /invalid pattern "a b"/],
    ['request.{a,b}', /invalid pattern "request.{a"/],
    ['!request.*', /invalid pattern/],
    ['@(a|b)', /invalid pattern/],
    ['x'.repeat(129), /invalid pattern/],
    [Array.from({ length: MAX_CATCH_PATTERNS + 1 }, (_, i) => `p${i}`).join(','), /at most 20 patterns, got 21/],
  ])('refuses %j', (raw, problem) => {
    expect(parseCatchPatterns(raw)).toMatch(problem);
  });
});

describe('catchesError', () => {
  it('matches whole codes with * and ? wildcards and character classes', () => {
    expect(catchesError(['request.*'], 'request.failure')).toBe(true);
    expect(catchesError(['request.*'], 'request.a.b')).toBe(true);
    expect(catchesError(['request.*'], 'requests.failure')).toBe(false);
    expect(catchesError(['request.*'], 'com.request.failure')).toBe(false);
    expect(catchesError(['err.?'], 'err.1')).toBe(true);
    expect(catchesError(['err.?'], 'err.12')).toBe(false);
    expect(catchesError(['err.[0-9]'], 'err.7')).toBe(true);
    expect(catchesError(['err.[0-9]'], 'err.x')).toBe(false);
  });

  it('matches exact codes, case-sensitively, against any pattern of the list', () => {
    expect(catchesError(['a.b', 'c.*'], 'c.d')).toBe(true);
    expect(catchesError(['a.b'], 'a.b')).toBe(true);
    expect(catchesError(['a.b'], 'A.B')).toBe(false);
    expect(catchesError(['a.b'], 'a.bc')).toBe(false);
  });

  it('lets * cover a code that starts with a dot, and not a slash', () => {
    expect(catchesError(['*'], '.hidden')).toBe(true);
    expect(catchesError(['*'], 'a/b')).toBe(false);
    expect(catchesError(['**'], 'a/b')).toBe(true);
  });

  it('catches nothing without patterns', () => {
    expect(catchesError([], 'request.failure')).toBe(false);
  });
});
