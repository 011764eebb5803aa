import { describe, expect, it } from '@jest/globals';
import { OverloadedError } from '@knocker/protocol';
import { admitShare } from './admission.js';
import type { LoadGuard } from './overload.js';

/** A guard whose verdict the test sets; counts what it hears. */
function scripted() {
  let over = false;
  const heard: number[] = [];
  const guard: LoadGuard = {
    refusal: () => (over ? new OverloadedError('answers took 80 ms on average, MAX_ANSWER_DELAY_MS') : undefined),
    answered: (ms) => void heard.push(ms),
    stop: () => undefined,
  };
  return { guard, heard, set: (v: boolean) => void (over = v) };
}

/** A clock that moves only when told, so a window passes exactly when the test says. */
function fakeClock() {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms) };
}

const letIn = (g: LoadGuard, n: number) => Array.from({ length: n }, () => g.refusal() === undefined).filter(Boolean).length;

describe('admitShare', () => {
  it('lets everything in while the guard is content, and costs nothing then', async () => {
    const s = scripted();
    const clock = fakeClock();
    const sleep = clock.sleep;
    const g = admitShare(s.guard, { windowMs: 10, now: clock.now });
    expect(letIn(g, 100)).toBe(100);
    await sleep(15);
    expect(letIn(g, 100)).toBe(100);
  });

  it('halves the share in each window the guard says overloaded, down to the floor, spread evenly', async () => {
    const s = scripted();
    const clock = fakeClock();
    const sleep = clock.sleep;
    const g = admitShare(s.guard, { windowMs: 10, floor: 0.1, now: clock.now });
    s.set(true);
    await sleep(15);
    // The first window over: half let in, every other request.
    const first = Array.from({ length: 8 }, () => g.refusal() === undefined);
    expect(first).toEqual([false, true, false, true, false, true, false, true]);
    await sleep(15);
    expect(letIn(g, 100)).toBe(25);
    for (let i = 0; i < 4; i++) {
      await sleep(15);
      g.refusal();
    }
    expect(letIn(g, 100)).toBe(10);
    const refused = g.refusal() ?? g.refusal();
    expect(refused?.status).toBe(503);
    expect(refused?.errors['server']).toMatch(/MAX_ANSWER_DELAY_MS/);
  });

  it('raises the share by a step in each window the guard is content again, until all are let in', async () => {
    const s = scripted();
    const clock = fakeClock();
    const sleep = clock.sleep;
    const g = admitShare(s.guard, { windowMs: 10, cut: 0.5, step: 0.25, now: clock.now });
    s.set(true);
    await sleep(15);
    expect(letIn(g, 100)).toBe(50);
    s.set(false);
    await sleep(15);
    // Recovering: still refused with the reason last given.
    expect(letIn(g, 100)).toBe(75);
    await sleep(15);
    expect(letIn(g, 100)).toBe(100);
  });

  it('counts the windows nobody asked about as content ones', async () => {
    const s = scripted();
    const clock = fakeClock();
    const sleep = clock.sleep;
    const g = admitShare(s.guard, { windowMs: 10, step: 0.1, now: clock.now });
    s.set(true);
    await sleep(15);
    expect(letIn(g, 100)).toBe(50);
    s.set(false);
    // A quiet spell of many windows: the next spike finds every request let in again.
    await sleep(80);
    expect(letIn(g, 100)).toBe(100);
  });

  it('passes every answer time to the guard', () => {
    const s = scripted();
    const g = admitShare(s.guard);
    g.answered(12);
    g.answered(30);
    expect(s.heard).toEqual([12, 30]);
  });
});
