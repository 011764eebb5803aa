// Targets answering with thousands of headers, within what an HTTP parser takes and far past
// it: each request still ends (delivered, or failed with its callback), and the worker stays
// healthy with its memory bounded.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { describeAttack, lostOf, startArena, type Arena } from '@knocker/test-kit';

let arena: Arena;
beforeAll(async () => {
  arena = await startArena({ name: 'adv-headers' });
}, 60_000);
afterAll(() => arena?.close());

describe('answers with thousands of headers', () => {
  it('end every request and leave the worker healthy', async () => {
    // About 12 KB of headers, 1,000 of one repeated name (about 15 KB), and 20,000 (about 300 KB).
    const behaviours = [{ count: 1000 }, { count: 1000, name: 'set-cookie' }, { count: 20_000 }];
    const targets = await Promise.all(behaviours.map((b) => arena.hostile({ kind: 'headers', ...b })));
    const attack = arena.attack();
    const headers: Array<[string, string]> = [['Knocker-Retries', '1'], ['Knocker-Backoff-Factor', '0'], ['Knocker-Timeout', '5']];
    const sent = await Promise.all(Array.from({ length: 30 }, (_, i) => arena.knock(targets[i % 3]!.host, headers)));
    const outcomes = await arena.settle(sent.map((s) => s.id), 30_000);
    const report = await attack.end();
    const ends = outcomes.map((o, i) => `${JSON.stringify(behaviours[i % 3])} ${o.state} ${o.attempts.map((a) => a.status_code).join('/')}`);
    console.log(`${describeAttack('thousands of headers', report)}; ends: ${[...new Set(ends)].join(', ')}`);

    expect({ violations: report.violations, lost: lostOf(outcomes) }).toEqual({ violations: [], lost: [] });
  }, 120_000);
});
