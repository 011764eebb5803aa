/**
 * Glob matching for error codes a target chooses, in time proportional to pattern × code
 * whatever both hold: a pattern is compiled to tokens, then matched by one pass per token over
 * a row of booleans ("the rest of the pattern matches the code from here"). No backtracking,
 * so no pattern, however many stars it has, can make a hostile code expensive.
 *
 * - the whole code must match;
 * - `*` matches any run of characters but `/`, `?` any one character but `/`;
 * - `[...]` matches one character of a set: single characters, ranges `a-z`, POSIX classes
 *   `[:alpha:]`; `!` or `^` first negates it (and a negated set never matches `/`); a `]` first is
 *   one of the set, a `-` first or last is itself, a `[` without its `]` is itself, and a set with
 *   a range written backwards (`[z-a]`) matches nothing;
 * - `**` as a whole segment (between slashes, or at either end) matches any run, slashes included,
 *   and may stand for no segment at all: `a/**` matches `a`, `**\/a` and `a/**\/b` match `a` and `a/b`;
 * - every other character matches itself, case-sensitively; a leading dot needs no special care.
 */

type Token =
  | { kind: 'char'; code: number }
  | { kind: 'one' }
  | { kind: 'set'; test: (c: number) => boolean }
  | { kind: 'star' }
  | { kind: 'any' }
  /** `**` followed by `/`: nothing, or any run that ends with `/`. */
  | { kind: 'dirs' }
  /** `/` then `**` at the end: nothing, or `/` and any run. */
  | { kind: 'tail' };

const SLASH = 0x2f;
const ONE: Token = { kind: 'one' };
const STAR: Token = { kind: 'star' };
const ANY: Token = { kind: 'any' };
const DIRS: Token = { kind: 'dirs' };
const TAIL: Token = { kind: 'tail' };
const SLASH_CHAR: Token = { kind: 'char', code: SLASH };

const inRange = (c: number, lo: number, hi: number) => c >= lo && c <= hi;
const isUpper = (c: number) => inRange(c, 0x41, 0x5a);
const isLower = (c: number) => inRange(c, 0x61, 0x7a);
const isDigit = (c: number) => inRange(c, 0x30, 0x39);
const isAlpha = (c: number) => isUpper(c) || isLower(c);
const isGraph = (c: number) => inRange(c, 0x21, 0x7e);
const POSIX: Record<string, (c: number) => boolean> = {
  alnum: (c) => isAlpha(c) || isDigit(c),
  alpha: isAlpha,
  ascii: (c) => c <= 0x7f,
  blank: (c) => c === 0x20 || c === 0x09,
  cntrl: (c) => c < 0x20 || c === 0x7f,
  digit: isDigit,
  graph: isGraph,
  lower: isLower,
  print: (c) => inRange(c, 0x20, 0x7e),
  punct: (c) => isGraph(c) && !isAlpha(c) && !isDigit(c),
  space: (c) => c === 0x20 || inRange(c, 0x09, 0x0d),
  upper: isUpper,
  word: (c) => isAlpha(c) || isDigit(c) || c === 0x5f,
  xdigit: (c) => isDigit(c) || inRange(c, 0x41, 0x46) || inRange(c, 0x61, 0x66),
};

/** The set starting at `pattern[start]` (a `[`) and where it ends, or undefined when it is not closed. */
function readSet(pattern: string, start: number): { token: Token; end: number } | undefined {
  let i = start + 1;
  const negated = pattern[i] === '!' || pattern[i] === '^';
  if (negated) i++;
  const tests: Array<(c: number) => boolean> = [];
  let reversed = false;
  for (let first = true; i < pattern.length; first = false) {
    if (pattern[i] === ']' && !first) {
      // A range written backwards spoils the whole set, which then matches nothing.
      const test = reversed ? () => false : (c: number) => tests.some((t) => t(c));
      return { token: { kind: 'set', test: negated ? (c) => c !== SLASH && !test(c) : test }, end: i + 1 };
    }
    const posix = pattern[i] === '[' && pattern[i + 1] === ':' ? /^\[:([a-z]+):\]/.exec(pattern.slice(i)) : null;
    const named = posix ? POSIX[posix[1] as string] : undefined;
    if (posix && named) {
      tests.push(named);
      i += posix[0].length;
    } else if (pattern[i + 1] === '-' && i + 2 < pattern.length && pattern[i + 2] !== ']') {
      const lo = pattern.charCodeAt(i);
      const hi = pattern.charCodeAt(i + 2);
      reversed ||= lo > hi;
      tests.push((c) => inRange(c, lo, hi));
      i += 3;
    } else {
      const one = pattern.charCodeAt(i);
      tests.push((c) => c === one);
      i++;
    }
  }
  return undefined;
}

function tokensOfSegment(segment: string, out: Token[]): void {
  for (let i = 0; i < segment.length; ) {
    const ch = segment[i];
    const set = ch === '[' ? readSet(segment, i) : undefined;
    if (set) {
      out.push(set.token);
      i = set.end;
    } else if (ch === '*') {
      // A run of stars is one star.
      if (out[out.length - 1] !== STAR) out.push(STAR);
      i++;
    } else if (ch === '?') {
      out.push(ONE);
      i++;
    } else {
      out.push({ kind: 'char', code: segment.charCodeAt(i) });
      i++;
    }
  }
}

/** Compiles a pattern; sets never span a `/`, so the pattern is read segment by segment. */
export function compileGlob(pattern: string): Token[] {
  const segments = pattern.split('/');
  const out: Token[] = [];
  let slashBefore = false;
  segments.forEach((segment, k) => {
    const last = k === segments.length - 1;
    if (segment === '**' && last) {
      out.push(slashBefore ? TAIL : ANY);
      return;
    }
    if (slashBefore) out.push(SLASH_CHAR);
    if (segment === '**') {
      // Swallows the slash after it: "no segment" leaves a single slash, or none at the start.
      out.push(DIRS);
      slashBefore = false;
      return;
    }
    tokensOfSegment(segment, out);
    slashBefore = !last;
  });
  return out;
}

/**
 * True when the compiled pattern matches the whole of `code`. One pass per token over the code,
 * right to left: `row[j]` says whether the tokens from the current one on match `code` from `j`.
 */
export function globMatches(tokens: readonly Token[], code: string): boolean {
  const n = code.length;
  let next = new Uint8Array(n + 1);
  let row = new Uint8Array(n + 1);
  next[n] = 1;
  for (let t = tokens.length - 1; t >= 0; t--) {
    const token = tokens[t] as Token;
    let alive = false;
    switch (token.kind) {
      case 'star':
        row[n] = next[n] as number;
        for (let j = n - 1; j >= 0; j--) row[j] = next[j] || (code.charCodeAt(j) !== SLASH ? (row[j + 1] as number) : 0);
        break;
      case 'any':
        row[n] = next[n] as number;
        for (let j = n - 1; j >= 0; j--) row[j] = next[j] || (row[j + 1] as number);
        break;
      case 'dirs': {
        // Whether some run from j+1 on ending with a slash leaves a match behind it.
        let later = 0;
        for (let j = n; j >= 0; j--) {
          row[j] = next[j] || later;
          if (j > 0 && code.charCodeAt(j - 1) === SLASH && next[j]) later = 1;
        }
        break;
      }
      case 'tail': {
        let later = 0;
        for (let j = n; j >= 0; j--) {
          row[j] = next[j] || (j < n && code.charCodeAt(j) === SLASH ? later : 0);
          if (next[j]) later = 1;
        }
        break;
      }
      default:
        row[n] = 0;
        for (let j = n - 1; j >= 0; j--) row[j] = next[j + 1] && matchesOne(token, code.charCodeAt(j)) ? 1 : 0;
    }
    for (let j = 0; j <= n && !alive; j++) alive = row[j] === 1;
    if (!alive) return false;
    [next, row] = [row, next];
  }
  return next[0] === 1;
}

function matchesOne(token: Token, c: number): boolean {
  if (token.kind === 'char') return c === token.code;
  if (token.kind === 'one') return c !== SLASH;
  return token.kind === 'set' && token.test(c);
}
