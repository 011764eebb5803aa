import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { anyOf, watchAnswerTimes, watchEventLoop } from './overload.js';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

describe('watchEventLoop', () => {
  it('refuses with 503 while the loop runs later than the bound, and accepts again once it catches up', async () => {
    const guard = watchEventLoop(50);
    try {
      // Turns of 150 ms: the loop is far behind.
      for (let i = 0; i < 4; i++) {
        busy(150);
        await sleep(1);
      }
      const refused = guard.refusal();
      expect(refused?.status).toBe(503);
      expect(refused?.code).toBe('overloaded');
      expect(refused?.errors['server']).toMatch(/MAX_EVENT_LOOP_DELAY_MS/);
      // Idle again: a window or two later it accepts (generous, the machine may be busy).
      const deadline = Date.now() + 5000;
      while (guard.refusal() !== undefined && Date.now() < deadline) await sleep(20);
      expect(guard.refusal()).toBeUndefined();
    } finally {
      guard.stop();
    }
  });

  it('never refuses when turned off', () => {
    const guard = watchEventLoop(0);
    busy(200);
    expect(guard.refusal()).toBeUndefined();
    guard.stop();
  });
});

describe('watchAnswerTimes', () => {
  it('refuses with 503 while the last window\'s answers took longer than the bound on average', async () => {
    const guard = watchAnswerTimes(50, 20);
    for (let i = 0; i < 10; i++) guard.answered(i < 9 ? 80 : 20);
    expect(guard.refusal()).toBeUndefined(); // the window is still open
    await sleep(25);
    const refused = guard.refusal();
    expect(refused?.status).toBe(503);
    expect(refused?.errors['server']).toMatch(/answers took 74 ms on average, MAX_ANSWER_DELAY_MS/);
    // Fast answers in the next window, or none at all, let requests in again.
    for (let i = 0; i < 10; i++) guard.answered(5);
    await sleep(25);
    expect(guard.refusal()).toBeUndefined();
    await sleep(25);
    expect(guard.refusal()).toBeUndefined();
  });

  it('never refuses when turned off, and either guard refuses for both', async () => {
    const off = watchAnswerTimes(0, 20);
    off.answered(10_000);
    await sleep(25);
    expect(off.refusal()).toBeUndefined();
    const slow = watchAnswerTimes(50, 20);
    const both = anyOf(watchEventLoop(0), slow);
    both.answered(500);
    await sleep(25);
    expect(both.refusal()?.code).toBe('overloaded');
    both.stop();
  });
});
