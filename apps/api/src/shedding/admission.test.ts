import { describe, expect, it } from '@jest/globals';
import { OverloadedError } from '../errors.js';
import { admitShare } from './admission.js';
import { BURST, SHED_MIN_INFLIGHT, watchAnswerTimes, type LoadGuard } from './overload.js';
import { createInflightGate } from './inflight.js';

/** A guard whose verdict the test sets; counts what it hears. */
function scripted() {
  let over = false;
  const heard: number[] = [];
  const underWay: number[] = [];
  const guard: LoadGuard = {
    refusal: () => (over ? new OverloadedError('answers took at least 80 ms for 100 ms, MAX_ANSWER_DELAY_MS') : undefined),
    underWay: (n) => void underWay.push(n),
    answered: (ms) => void heard.push(ms),
    stop: () => undefined,
  };
  return { guard, heard, underWay, set: (v: boolean) => void (over = v) };
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

  it('passes every answer time and every count of requests under way to the guard', () => {
    const s = scripted();
    const g = admitShare(s.guard);
    g.underWay(1);
    g.answered(12);
    g.underWay(0);
    g.answered(30);
    expect(s.heard).toEqual([12, 30]);
    expect(s.underWay).toEqual([1, 0]);
  });
});

describe('the gate, the share and the answer times together, on a fake clock', () => {
  /** A gate as the api builds it, shedding on answer times of 5 ms; the test says when requests come and go. */
  function api() {
    const clock = fakeClock();
    const gate = createInflightGate(0, admitShare(watchAnswerTimes(5, clock), { now: clock.now }));
    const waiting: number[] = [];
    let [arrived, refused] = [0, 0];
    return {
      clock,
      get arrived() {
        return arrived;
      },
      get refused() {
        return refused;
      },
      arrive(n: number) {
        for (let i = 0; i < n; i++, arrived++) {
          if (gate.enter()) refused++;
          else waiting.push(clock.now());
        }
      },
      /** Answers the oldest `n` of those under way, now. */
      answer(n: number) {
        for (const at of waiting.splice(0, n)) gate.leave(clock.now() - at);
      },
    };
  }

  it('lets in a burst of BURST requests whole though it waits long, and the next one after a quiet spell', async () => {
    const a = api();
    for (let burst = 0; burst < 2; burst++) {
      // It arrives in waves, as a cold api reads it, and each wave waits 200 ms for the turn before.
      for (let wave = 0; wave < 7; wave++) {
        a.arrive(Math.floor(BURST / 7));
        await a.clock.sleep(200);
        a.answer(SHED_MIN_INFLIGHT);
      }
      a.answer(BURST);
      await a.clock.sleep(2_000);
    }
    expect(a.arrived).toBeGreaterThan(2 * 500);
    expect(a.refused).toBe(0);
  });

  it('sheds a queue that stands, and lets everything in again once answers are quick', async () => {
    const a = api();
    // 4,000 requests a second for 2 s, answered at 2,000 a second, oldest first.
    for (let ms = 0; ms < 2_000; ms += 5) {
      a.arrive(20);
      await a.clock.sleep(5);
      a.answer(10);
    }
    expect(a.refused).toBeGreaterThan(2_000);
    expect(a.refused).toBeLessThan(a.arrived - 2_000);
    // The line is worked off; quick answers again, and after a second the share is whole again.
    a.answer(a.arrived);
    a.arrive(1);
    a.answer(1);
    await a.clock.sleep(1_000);
    const before = a.refused;
    a.arrive(200);
    expect(a.refused).toBe(before);
  });
});
