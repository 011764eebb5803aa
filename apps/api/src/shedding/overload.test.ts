import { describe, expect, it } from '@jest/globals';
import { anyOf, BURST, INTERVAL_MS, SHED_MIN_INFLIGHT, standingQueue, watchAnswerTimes, watchEventLoop, type Clock } from './overload.js';

/** A clock that moves only when told; its timer fires as late as the test says. */
function fakeClock() {
  let t = 1_000;
  let timer: { ms: number; fn: () => void } | undefined;
  const clock: Clock = {
    now: () => t,
    every(ms, fn) {
      timer = { ms, fn };
      return () => void (timer = undefined);
    },
  };
  return {
    clock,
    advance: (ms: number) => void (t += ms),
    /** The timer fires `lateMs` after it was due. */
    tick(lateMs = 0) {
      t += (timer?.ms ?? 0) + lateMs;
      timer?.fn();
    },
    get running() {
      return timer !== undefined;
    },
  };
}

/** `n` answers, each `ms` long, spread evenly over `overMs`. */
function answers(q: ReturnType<typeof standingQueue>, c: ReturnType<typeof fakeClock>, n: number, ms: number, overMs: number) {
  for (let i = 0; i < n; i++) {
    c.advance(overMs / n);
    q.observe(ms, c.clock.now());
    q.answered();
  }
}

describe('standingQueue', () => {
  it('stands once every wait for an interval and a burst of answers was above the target, and says the least', () => {
    const c = fakeClock();
    const q = standingQueue(5);
    answers(q, c, BURST, 40, INTERVAL_MS * 2);
    expect(q.standing(c.clock.now())).toBeUndefined(); // one answer short of a burst's worth
    q.observe(12, c.clock.now());
    expect(q.standing(c.clock.now())).toBe(12);
    // One wait under the target: the queue drained.
    q.observe(2, c.clock.now());
    expect(q.standing(c.clock.now())).toBeUndefined();
  });

  it('does not stand before an interval has passed, however many answers came', () => {
    const c = fakeClock();
    const q = standingQueue(5);
    answers(q, c, 3 * BURST, 40, INTERVAL_MS - 10);
    expect(q.standing(c.clock.now())).toBeUndefined();
    c.advance(11);
    q.observe(40, c.clock.now());
    expect(q.standing(c.clock.now())).toBe(40);
  });

  it('lets a burst of BURST requests through whole, however slowly it is answered', () => {
    const c = fakeClock();
    const q = standingQueue(5);
    // A cold start on a busy machine: answers of 100 ms to 1 s over two seconds.
    for (let i = 0; i < BURST; i++) {
      c.advance(2_000 / BURST);
      q.observe(100 + i * 2, c.clock.now());
      q.answered();
      expect(q.standing(c.clock.now())).toBeUndefined();
    }
  });

  it('starts over when a wait is below the target, or seen with the queue too short to matter', () => {
    const c = fakeClock();
    const q = standingQueue(5, { burst: 10 });
    answers(q, c, 50, 40, 300);
    expect(q.standing(c.clock.now())).toBe(40);
    q.observe(40, c.clock.now(), false);
    expect(q.standing(c.clock.now())).toBeUndefined();
    // From then on a whole interval again.
    answers(q, c, 50, 40, INTERVAL_MS - 1);
    expect(q.standing(c.clock.now())).toBeUndefined();
    answers(q, c, 5, 40, 5);
    expect(q.standing(c.clock.now())).toBe(40);
  });

  it('takes a queue that stands again soon after the last for the same overload: the interval alone then', () => {
    const c = fakeClock();
    const q = standingQueue(5);
    answers(q, c, BURST, 40, 300);
    answers(q, c, 1, 40, 1);
    expect(q.standing(c.clock.now())).toBe(40);
    q.observe(1, c.clock.now()); // shedding worked: the queue drained
    expect(q.standing(c.clock.now())).toBeUndefined();
    // Slow again within 16 intervals: a few answers over an interval are enough.
    answers(q, c, 20, 40, INTERVAL_MS + 10);
    expect(q.standing(c.clock.now())).toBe(40);
    // After a calm of more than 16 intervals a slow spell is a burst again, until BURST answers.
    q.observe(1, c.clock.now());
    answers(q, c, 20, 1, 16 * INTERVAL_MS);
    answers(q, c, 20, 40, INTERVAL_MS + 10);
    expect(q.standing(c.clock.now())).toBeUndefined();
  });

  it('forgets a queue nothing was seen of for a while: it drained unseen', () => {
    const c = fakeClock();
    const q = standingQueue(5, { burst: 10, quietMs: 1_000 });
    answers(q, c, 50, 40, 300);
    expect(q.standing(c.clock.now())).toBe(40);
    c.advance(1_001);
    expect(q.standing(c.clock.now())).toBeUndefined();
    // The next slow answer starts a new interval rather than resuming the old one.
    q.observe(40, c.clock.now());
    q.answered();
    expect(q.standing(c.clock.now())).toBeUndefined();
  });
});

describe('watchEventLoop', () => {
  it('refuses with 503 while the loop stands late with many requests under way, and accepts again once it keeps time', () => {
    const c = fakeClock();
    const guard = watchEventLoop(5, c.clock);
    guard.underWay(SHED_MIN_INFLIGHT);
    for (let i = 0; i < BURST; i++) guard.answered(1);
    // Turns of 30 ms: the timer is 20 ms late every time, answers or not.
    for (let i = 0; i < 8; i++) c.tick(20);
    expect(guard.refusal()).toBeUndefined(); // the answers came before the queue began to stand
    for (let i = 0; i < BURST; i++) guard.answered(1);
    c.tick(25);
    const refused = guard.refusal();
    expect(refused?.status).toBe(503);
    expect(refused?.code).toBe('overloaded');
    expect(refused?.errors['server']).toMatch(/event loop at least 20 ms late for 100 ms, MAX_EVENT_LOOP_DELAY_MS/);
    c.tick(1);
    expect(guard.refusal()).toBeUndefined();
    guard.stop();
    expect(c.running).toBe(false);
  });

  it('does not count a late loop with few requests under way: other processes took the CPU', () => {
    const c = fakeClock();
    const guard = watchEventLoop(5, c.clock);
    guard.underWay(SHED_MIN_INFLIGHT - 1);
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 100; j++) guard.answered(1);
      c.tick(50);
    }
    expect(guard.refusal()).toBeUndefined();
  });

  it('never refuses when turned off, nor starts a timer', () => {
    const c = fakeClock();
    const guard = watchEventLoop(0, c.clock);
    expect(c.running).toBe(false);
    expect(guard.refusal()).toBeUndefined();
  });
});

describe('watchAnswerTimes', () => {
  it('refuses with 503 while answers stand above the target, and accepts again after a quick one', () => {
    const c = fakeClock();
    const guard = watchAnswerTimes(5, c.clock);
    for (let i = 0; i < 2 * BURST; i++) {
      c.advance(0.5);
      guard.answered(i % 2 ? 80 : 30);
    }
    const refused = guard.refusal();
    expect(refused?.status).toBe(503);
    expect(refused?.errors['server']).toMatch(/answers took at least 30 ms for 100 ms, MAX_ANSWER_DELAY_MS/);
    guard.answered(3);
    expect(guard.refusal()).toBeUndefined();
  });

  it('never refuses when turned off, and either guard refuses for both', () => {
    const c = fakeClock();
    const off = watchAnswerTimes(0, c.clock);
    const slow = watchAnswerTimes(5, c.clock);
    const both = anyOf(off, watchEventLoop(0, c.clock), slow);
    for (let i = 0; i < 2 * BURST; i++) {
      c.advance(1);
      both.answered(10_000);
    }
    expect(off.refusal()).toBeUndefined();
    expect(both.refusal()?.code).toBe('overloaded');
    both.stop();
  });
});
