import { compileGlob, globMatches } from './glob.js';

export const MAX_CATCH_PATTERNS = 20;

// Letters, digits, the punctuation error codes use, and the glob characters * ? [ ].
// Braces, parentheses, '!' and ',' are left out: the header is a comma-separated list,
// so brace lists and extglobs could not be written in it unambiguously anyway.
const PATTERN = /^[A-Za-z0-9._:/@+=~*?[\]-]{1,128}$/;

/** Reads `Knocker-Catch`: glob patterns separated by commas. Returns the patterns, or what is wrong. */
export function parseCatchPatterns(raw: string): string[] | string {
  const patterns = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (patterns.length === 0) return 'must list at least one pattern, such as request.*';
  if (patterns.length > MAX_CATCH_PATTERNS) return `must list at most ${MAX_CATCH_PATTERNS} patterns, got ${patterns.length}`;
  const bad = patterns.find((p) => !PATTERN.test(p));
  if (bad !== undefined) {
    return `has an invalid pattern ${JSON.stringify(bad)}: up to 128 of letters, digits, . _ : / @ + = ~ - and the wildcards * ? [ ]`;
  }
  return [...new Set(patterns)];
}

/**
 * True when an error code reported by a target matches one of the patterns (see glob.ts). The
 * code is the target's choice: the matching takes time proportional to pattern × code at most,
 * so 20 patterns of 128 characters against a 256-character code stay well under a millisecond.
 */
export function catchesError(patterns: readonly string[], code: string): boolean {
  return patterns.some((pattern) => globMatches(compileGlob(pattern), code));
}
