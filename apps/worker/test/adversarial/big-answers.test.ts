// Fifty deliveries at once (WORKER_CONCURRENCY 50) to a target answering 100 MB, or a body that
// never ends: the worker must not buffer what it does not need. A 200 is delivered (its body
// is not needed), a 500 is a failed attempt; memory stays bounded and other requests go on.
import { afterEach, describe, expect, it } from '@jest/globals';
import { describeAttack, lostOf, startArena, type Arena, type Behaviour } from '@knocker/test-kit';

const CONCURRENT = 50;
const TIMEOUT_S = 5;
let arena: Arena | undefined;
afterEach(async () => {
  await arena?.close();
  arena = undefined;
});

describe.each([
  ['100 MB, status 200', { kind: 'huge', status: 200, bytes: 100 * 2 ** 20 }],
  ['100 MB, status 500', { kind: 'huge', status: 500, bytes: 100 * 2 ** 20 }],
  ['an endless stream, status 200', { kind: 'endless', status: 200 }],
  ['an endless stream, status 500', { kind: 'endless', status: 500 }],
] as Array<[string, Behaviour & { status: number }]>)('answers of %s to 50 concurrent deliveries', (what, behaviour) => {
  it('leave the worker healthy and its memory bounded, end each request by its status, and keep other requests moving', async () => {
    arena = await startArena({ name: 'adv-big', env: { WORKER_CONCURRENCY: String(CONCURRENT) } });
    // In a child process: pouring gigabytes must not slow the health probes of this one.
    const hostile = await arena.hostile(behaviour, { child: true });
    const attack = arena.attack();
    const headers: Array<[string, string]> = [['Knocker-Timeout', String(TIMEOUT_S)], ['Knocker-Retries', '0']];
    const sent = await Promise.all(Array.from({ length: CONCURRENT }, () => arena!.knock(hostile.host, headers)));
    const outcomes = await arena.settle(sent.map((s) => s.id), 45_000);
    // Every slot may be held until its Knocker-Timeout: the canary waits that long at most, and then some.
    const report = await attack.end({ canaryBoundMs: TIMEOUT_S * 1000 + 10_000 });
    console.log(`${describeAttack(what, report)}; target saw ${hostile.hits().length} requests`);

    expect({ violations: report.violations, lost: lostOf(outcomes) }).toEqual({ violations: [], lost: [] });
    const ok = behaviour.status < 400;
    for (const o of outcomes) {
      expect({ state: o.state, status: o.attempts.map((a) => a.status_code) }).toEqual({ state: ok ? 'delivered' : 'failed', status: [behaviour.status] });
      if (!ok) expect(o.callback).toMatchObject({ status_code: behaviour.status, attempts: 1 });
    }
  }, 150_000);
});
