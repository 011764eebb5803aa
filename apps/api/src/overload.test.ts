import { describe, expect, it } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { watchEventLoop } from './overload.js';

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
