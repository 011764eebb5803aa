// A target answers a code built to make glob matching backtrack, to requests whose
// Knocker-Catch holds the most wildcard-heavy patterns the header allows: the worker must
// match in bounded time, stay healthy and go on delivering.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MAX_CATCH_PATTERNS } from '@knocker/protocol';
import { describeAttack, lostOf, startArena, type Arena } from '@knocker/test-kit';

let arena: Arena;
beforeAll(async () => {
  arena = await startArena({ name: 'adv-catch' });
}, 60_000);
afterAll(() => arena?.close());

/** `unit` repeated to `len` characters (a multiple of its length), then `*b`: never matches a code of a's alone. */
const wild = (unit: string, len: number): string => `${unit.repeat(Math.floor((len - 2) / unit.length))}*b`;
// MAX_CATCH_PATTERNS patterns of up to 128 characters, the header's limits.
const PATTERNS = Array.from({ length: MAX_CATCH_PATTERNS }, (_, i) =>
  i % 3 === 0 ? wild('*a', 128 - i) : i % 3 === 1 ? wild('*a?', 128 - i) : wild('*[a]', 128 - i));
const A_CODE = 'a'.repeat(250);

describe('a catastrophic Knocker-Error-Code against wildcard-heavy Knocker-Catch', () => {
  it('matches in bounded time: uncaught codes are retried, caught ones end at once, the worker stays healthy', async () => {
    const uncaught = await arena.hostile({ kind: 'error-code', code: A_CODE });
    const caught = await arena.hostile({ kind: 'error-code', code: `${A_CODE}b` });
    expect(PATTERNS.every((p) => p.length <= 128 && p.length > 100)).toBe(true);

    const attack = arena.attack();
    const headers: Array<[string, string]> = [['Knocker-Catch', PATTERNS.join(',')], ['Knocker-Retries', '2'], ['Knocker-Backoff-Factor', '0']];
    const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => arena.knock((i % 2 ? caught : uncaught).host, headers)));
    const outcomes = await arena.settle(sent.map((s) => s.id), 30_000);
    const report = await attack.end();
    console.log(describeAttack('catastrophic catch', report));

    expect({ violations: report.violations, lost: lostOf(outcomes) }).toEqual({ violations: [], lost: [] });
    outcomes.forEach((o, i) => {
      const isCaught = i % 2 === 1;
      expect({ state: o.state, attempts: o.attempts.length }).toEqual({ state: 'failed', attempts: isCaught ? 1 : 3 });
      expect(o.callback).toMatchObject({ status_code: 200, attempts: isCaught ? 1 : 3, error_code: isCaught ? `${A_CODE}b` : A_CODE });
    });
  }, 120_000);
});
