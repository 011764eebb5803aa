// Targets that dribble their answer a byte at a time, the head or the body, for minutes: each
// attempt must end at its Knocker-Timeout as a timeout (504), and the worker go on meanwhile.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { describeAttack, lostOf, startArena, type Arena } from '@knocker/test-kit';

const TIMEOUT_S = 2;
let arena: Arena;
beforeAll(async () => {
  arena = await startArena({ name: 'adv-drip' });
}, 60_000);
afterAll(() => arena?.close());

describe('slow-drip answers', () => {
  it('end at Knocker-Timeout as a timeout, head or body, while the worker stays healthy', async () => {
    const head = await arena.hostile({ kind: 'drip', part: 'head', everyMs: 300 });
    const body = await arena.hostile({ kind: 'drip', part: 'body', everyMs: 300 });
    const attack = arena.attack();
    const headers: Array<[string, string]> = [['Knocker-Timeout', String(TIMEOUT_S)], ['Knocker-Retries', '0']];
    const sent = await Promise.all(Array.from({ length: 20 }, (_, i) => arena.knock((i % 2 ? body : head).host, headers)));
    const outcomes = await arena.settle(sent.map((s) => s.id), 30_000);
    const report = await attack.end();
    console.log(`${describeAttack('slow drip', report)}; attempts took ${outcomes.map((o) => o.attempts[0]?.duration_ms).join(', ')} ms`);

    expect({ violations: report.violations, lost: lostOf(outcomes) }).toEqual({ violations: [], lost: [] });
    for (const o of outcomes) {
      expect({ state: o.state, status: o.attempts.map((a) => a.status_code), callback: o.callback?.status_code }).toEqual({ state: 'failed', status: [504], callback: 504 });
      // Ends at the timeout: a drip that went on would take minutes. The margin allows for a busy machine.
      expect(o.attempts[0]!.duration_ms).toBeLessThan(TIMEOUT_S * 1000 + 2000);
    }
    expect(head.hits()).toHaveLength(10);
    expect(body.hits()).toHaveLength(10);
  }, 120_000);
});
