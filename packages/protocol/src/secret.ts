import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares a presented credential with an expected one in constant time. Both are hashed
 * first so that neither the content nor the length of the secret leaks through timing.
 */
export function secretsEqual(presented: string, expected: string): boolean {
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && presented.length === expected.length;
}
