import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createShutdown, STOP_ON_STDIN_CLOSE, watchSupervisor } from './index.js';

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

describe('watchSupervisor', () => {
  it('begins once when the pipe from the supervisor ends, and drops write errors of the output nobody reads', async () => {
    const pipe = new PassThrough();
    const output = new PassThrough();
    const calls: string[] = [];
    watchSupervisor(pipe, [output], () => void calls.push('gone'));
    pipe.write('anything the supervisor writes is read and dropped');
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([]);
    pipe.end();
    await new Promise((r) => setImmediate(r));
    pipe.destroy();
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual(['gone']);
    // Without a listener this error would be thrown, ending the process before its shutdown.
    expect(() => output.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }))).not.toThrow();
  });

  it('is what listen() starts only in a process pnpm start runs', () => {
    const s = createShutdown({ drainMs: 0, deadlineMs: 1000, log: () => undefined, exit: () => undefined, steps: [] });
    const before = process.stdin.listenerCount('end');
    s.listen([], {});
    expect(process.stdin.listenerCount('end')).toBe(before);
    expect(STOP_ON_STDIN_CLOSE).toBe('KNOCKER_STOP_ON_STDIN_CLOSE');
  });
});
