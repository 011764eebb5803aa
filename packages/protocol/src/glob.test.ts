import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import picomatch from 'picomatch';
import { compileGlob, globMatches } from './glob.js';

const matches = (pattern: string, code: string) => globMatches(compileGlob(pattern), code);

// The options Knocker-Catch used picomatch with: the reference these rules were taken from.
const reference = (pattern: string) => picomatch(pattern, { dot: true, nobrace: true, noextglob: true, nonegate: true });

/**
 * Where picomatch follows file-path rules error codes do not need, or slips, Knocker keeps its
 * documented rules and the comparison skips the case: codes with an empty, `.` or `..` segment
 * (picomatch's `*` never matches those, and lets a trailing `/` go unmatched); patterns starting
 * `./` (picomatch drops it) or with a set holding `/`; a `*.*` segment (picomatch wants a character
 * after the dot); `**` glued to other characters (picomatch reads `**.a` as crossing slashes and the
 * `.` of `***a.` as any character); and a final `/**` after a segment with wildcards (picomatch
 * then wants the slash, though `a/**` matches `a`), a set followed by `+` (a quantifier to
 * picomatch) and a `.` beside a POSIX class (picomatch may leave it meaning any character). Codes
 * hold no `[`: picomatch also matches some sets as their own text.
 */
const pathLike = (code: string) => code.split('/').every((s) => s !== '' && s !== '.' && s !== '..');
function quirky(pattern: string): boolean {
  const segments = pattern.split('/');
  return pattern.startsWith('./') || /\[\]?[^\]]*\//.test(pattern) || segments.includes('*.*')
    || segments.some((s) => s.includes('**') && s !== '**')
    || (segments.length > 1 && segments.at(-1) === '**' && /[*?[]/.test(segments.at(-2) ?? '')) || pattern.includes(']+')
    || (pattern.includes('[:') && pattern.includes('.'));
}

function* words(alphabet: readonly string[], maxLength: number): Generator<string> {
  let level = [''];
  for (let n = 1; n <= maxLength; n++) {
    level = level.flatMap((w) => alphabet.map((c) => w + c));
    yield* level;
  }
}

describe('glob matching', () => {
  it.each([
    ['request.*', 'request.failure', true], ['request.*', 'request.', true], ['request.*', 'request/x', false],
    ['*', '.hidden', true], ['*', 'a/b', false], ['?', '/', false], ['a?c', 'abc', true], ['a?c', 'ac', false],
    ['err.[0-9]', 'err.7', true], ['err.[0-9]', 'err.x', false], ['[]a]', ']', true], ['[a-]', '-', true], ['[a-c-e]', 'd', false],
    ['[!a]', 'b', true], ['[^a]', 'a', false], ['[!a]', '/', false], ['[z-a]', 'b', false], ['[a', '[a', true], ['a]', 'a]', true],
    ['[[:digit:]]x', '7x', true], ['[[:upper:]_]', '_', true], ['[[:upper:]]', 'a', false], ['[[:foo:]]', 'f]', true],
    ['**', 'a/b/c', true], ['a/**', 'a', true], ['a/**', 'a/b/c', true], ['**/c', 'c', true], ['**/c', 'a/b/c', true],
    ['a/**/c', 'a/c', true], ['a/**/c', 'a/b/b/c', true], ['a/**/c', 'ac', false], ['a**b', 'a/b', false], ['***', 'a/b', false],
    ['A.B', 'a.b', false], ['a.b', 'a.bc', false],
  ])('%j on %j: %j', (pattern, code, expected) => {
    expect(matches(pattern, code)).toBe(expected);
  });

  it('agrees with picomatch on every short pattern and code outside its path rules', () => {
    const codes = [...words(['a', 'b', '/', '.', '-'], 4)].filter(pathLike);
    let compared = 0;
    for (const pattern of words(['a', '/', '*', '?', '[', ']', '-', '.'], 4)) {
      if (quirky(pattern)) continue;
      const tokens = compileGlob(pattern);
      const theirs = reference(pattern);
      for (const code of codes) {
        if (globMatches(tokens, code) !== theirs(code)) throw new Error(`${JSON.stringify(pattern)} on ${JSON.stringify(code)}: picomatch says ${theirs(code)}`);
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1_000_000);
  });

  it('agrees with picomatch on longer patterns and codes of the characters Knocker-Catch allows', () => {
    const piece = fc.constantFrom('a', 'b', 'Z', '0', '9', '.', '_', ':', '-', '@', '+', '=', '~', '/', '*', '**', '?', '[', ']', '[a-c]', '[]b]', '[[:alpha:]]', '[[:digit:]_]');
    const pattern = fc.array(piece, { minLength: 1, maxLength: 12 }).map((p) => p.join('')).filter((p) => !quirky(p));
    const code = fc.array(fc.constantFrom('a', 'b', 'c', 'Z', '0', '9', '.', '_', ':', '-', '/', ']'), { minLength: 1, maxLength: 16 })
      .map((c) => c.join('')).filter(pathLike);
    fc.assert(fc.property(pattern, code, (p, c) => matches(p, c) === reference(p)(c)), { numRuns: 20_000 });
  });

  it('agrees with picomatch on codes written to (nearly) match the pattern', () => {
    // Each piece of pattern comes with text it should match; a few of them are slightly off.
    const char = fc.constantFrom('a', 'b', 'c', '.', '-', '_', ':');
    const run = fc.array(char, { maxLength: 4 }).map((r) => r.join(''));
    const piece = fc.oneof(
      char.map((c) => [c, fc.constant(c)] as const),
      fc.constant(['/', fc.constant('/')] as const),
      fc.constant(['*', run] as const),
      fc.constant(['?', char] as const),
      fc.constant(['[a-c]', fc.constantFrom('a', 'b', 'c', 'd')] as const),
      fc.constant(['[!a]', fc.constantFrom('a', 'b', '/')] as const),
      fc.constant(['**', fc.array(fc.oneof(run, fc.constant('/')), { maxLength: 4 }).map((r) => r.join(''))] as const),
    );
    const pair = fc.array(piece, { minLength: 1, maxLength: 10 }).chain((pieces) =>
      fc.tuple(fc.constant(pieces.map(([p]) => p).join('')), fc.tuple(...pieces.map(([, text]) => text as fc.Arbitrary<string>)).map((t) => t.join(''))));
    fc.assert(fc.property(pair, ([p, c]) => quirky(p) || c === '' || !pathLike(c) || p.includes('[!') || matches(p, c) === reference(p)(c)), { numRuns: 20_000 });
  });
});
