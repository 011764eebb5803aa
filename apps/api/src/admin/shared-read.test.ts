import { describe, expect, it } from '@jest/globals';
import { sharedRead } from './shared-read.js';

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

describe('sharedRead', () => {
  it('shares one read in flight among concurrent callers, and keeps its result for the ttl', async () => {
    const c = clock();
    let reads = 0;
    let release: (v: number) => void = () => undefined;
    const read = sharedRead(() => (reads++, new Promise<number>((r) => (release = r))), 1000, c.now);
    const waiting = Array.from({ length: 50 }, () => read());
    expect(reads).toBe(1);
    release(7);
    expect(await Promise.all(waiting)).toEqual(Array(50).fill(7));
    c.advance(999);
    expect(await read()).toBe(7);
    expect(reads).toBe(1);
    c.advance(1);
    const next = read();
    release(8);
    expect(await next).toBe(8);
    expect(reads).toBe(2);
  });

  it('keeps no failure: callers in flight share it, the next one reads again', async () => {
    const c = clock();
    let reads = 0;
    const read = sharedRead(async () => {
      reads++;
      if (reads === 1) throw new Error('down');
      return reads;
    }, 1000, c.now);
    const [a, b] = await Promise.allSettled([read(), read()]);
    expect([a.status, b.status, reads]).toEqual(['rejected', 'rejected', 1]);
    expect(await read()).toBe(2);
  });
});
