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

  it('takes time proportional to pattern × code whatever the patterns, on the longest code a target can send', () => {
    // Each backtracked exponentially in a regular expression on a code of a's that does not end in b.
    const shapes = ['*a', '*?', '[a]*', '*[a-z]', '**/', '?*', 'a*', '*[[:alpha:]]', '*a*', '*/'];
    const raw = shapes.flatMap((shape) => [`${shape.repeat(Math.floor(127 / shape.length))}b`, `${shape.repeat(Math.floor(126 / shape.length))}*b`]);
    const patterns = parseCatchPatterns(raw.join(','));
    if (typeof patterns === 'string') throw new Error(patterns);
    expect(patterns).toHaveLength(MAX_CATCH_PATTERNS);
    const codes = ['a'.repeat(256), 'a/'.repeat(128), `${'a'.repeat(255)}/`];
    const started = performance.now();
    for (const code of codes) expect(catchesError(patterns, code)).toBe(false);
    // Tens of milliseconds at most here; backtracking took seconds from 7 stars on 60 characters.
    expect(performance.now() - started).toBeLessThan(150);
  });

  it('catches nothing without patterns', () => {
    expect(catchesError([], 'request.failure')).toBe(false);
  });
});
