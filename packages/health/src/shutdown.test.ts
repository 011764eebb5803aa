import { describe, expect, it } from '@jest/globals';
import { createShutdown } from './index.js';

describe('createShutdown', () => {
  it('drains, runs every step even after a failure, and exits once', async () => {
    const events: string[] = [];
    const codes: number[] = [];
    const s = createShutdown({
      drainMs: 50, deadlineMs: 5000, log: () => undefined, exit: (c) => void codes.push(c),
      steps: [
        { name: 'a', run: async () => void events.push('a') },
        { name: 'b', run: async () => { events.push('b'); throw new Error('boom'); } },
        { name: 'c', run: async () => void events.push('c') },
      ],
    });
    expect(s.stopping).toBe(false);
    const started = Date.now();
    const first = s.begin('test');
    expect(s.stopping).toBe(true);
    expect(s.begin('again')).toBe(first);
    await first;
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(events).toEqual(['a', 'b', 'c']);
    expect(codes).toEqual([1]);
  });

  it('exits with 1 when a step hangs past the deadline', async () => {
    const codes: number[] = [];
    const s = createShutdown({
      drainMs: 0, deadlineMs: 50, log: () => undefined, exit: (c) => void codes.push(c),
      steps: [{ name: 'hang', run: () => new Promise(() => undefined) }],
    });
    void s.begin('test');
    await new Promise((r) => setTimeout(r, 120));
    expect(codes).toEqual([1]);
  });
});
