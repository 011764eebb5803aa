/**
 * Delay before retry `n` (1 after the first failure), as Knocker computes it:
 * factor · 2^(n−1) seconds plus a uniform jitter in [0, 1) seconds, capped at `maxSeconds`.
 * The jitter spreads retries of many requests that failed together.
 */
export function retryDelayMs(n: number, factorSeconds: number, maxSeconds: number, random: () => number = Math.random): number {
  const seconds = factorSeconds * 2 ** Math.max(0, n - 1) + random();
  return Math.round(Math.min(maxSeconds, seconds) * 1000);
}
