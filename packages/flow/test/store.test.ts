import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { sharedRedisUrl, uniquePrefix } from '@knocker/test-kit';
import { createFlowStore, type FlowStore } from '../src/index.js';

const LOCK = 30_000;
const breaker = { failures: 2, cooldownMs: 300, cooldownMaxMs: 1000 };
const noBreaker = { failures: 0, cooldownMs: 1000, cooldownMaxMs: 1000 };
let redis: Redis;
let store: FlowStore;

beforeAll(() => {
  redis = new Redis(sharedRedisUrl());
  store = createFlowStore(redis, uniquePrefix('flow-store'));
});
afterAll(async () => {
  await redis.quit();
});

describe('the concurrency semaphore', () => {
  const limits = { concurrency: 2, rate: 0 };

  it('grants slots up to the limit, then queues in order of acceptance and hands freed slots on', async () => {
    const key = 'conc.example:443';
    expect((await store.acquire(key, 'a', 1, limits, LOCK, true)).verdict).toBe('go');
    expect((await store.acquire(key, 'b', 2, limits, LOCK, true)).verdict).toBe('go');
    expect(await store.acquire(key, 'd', 4, limits, LOCK, true)).toMatchObject({ verdict: 'wait', reason: 'concurrency' });
    expect(await store.parked(key, 'd')).toBe(true);
    expect(await store.acquire(key, 'c', 3, limits, LOCK, true)).toMatchObject({ verdict: 'wait', reason: 'concurrency' });
    expect(await store.parked(key, 'c')).toBe(true);
    // c was accepted before d: it gets the first free slot, and is the one to wake.
    expect((await store.release(key, 'a', 'ok', noBreaker)).woken).toEqual(['c']);
    const back = await store.acquire(key, 'c', 3, limits, LOCK, true);
    expect(back.verdict).toBe('go');
    expect(back).toHaveProperty('waitedMs', expect.any(Number));
    // A newcomer queues behind d, although d has not come back yet.
    expect((await store.release(key, 'b', 'ok', noBreaker)).woken).toEqual(['d']);
    expect((await store.acquire(key, 'e', 5, limits, LOCK, true)).verdict).toBe('wait');
  });

  it('lets a job granted on its way to sleep wake itself', async () => {
    const key = 'race.example:443';
    await store.acquire(key, 'a', 1, { concurrency: 1, rate: 0 }, LOCK, true);
    expect((await store.acquire(key, 'b', 2, { concurrency: 1, rate: 0 }, LOCK, true)).verdict).toBe('wait');
    // Released before b confirmed it is asleep: nobody else may wake it, it must wake itself.
    expect((await store.release(key, 'a', 'ok', noBreaker)).woken).toEqual([]);
    expect(await store.parked(key, 'b')).toBe(false);
    expect((await store.acquire(key, 'b', 2, { concurrency: 1, rate: 0 }, LOCK, true)).verdict).toBe('go');
  });

  it('frees the slot of a holder that never released it after the lock duration', async () => {
    const key = 'dead.example:443';
    await store.acquire(key, 'a', 1, { concurrency: 1, rate: 0 }, 200, true);
    expect((await store.acquire(key, 'b', 2, { concurrency: 1, rate: 0 }, 200, true)).verdict).toBe('wait');
    await store.parked(key, 'b');
    await new Promise((r) => setTimeout(r, 300));
    expect(await store.sweep(100)).toContainEqual({ key, jobId: 'b' });
  });
});

describe('the rate window', () => {
  it('spaces starts by the interval and reserves each waiting job its own time', async () => {
    const key = 'rate.example:443';
    const limits = { concurrency: 0, rate: 10 };
    expect((await store.acquire(key, 'a', 1, limits, LOCK, false)).verdict).toBe('go');
    const before = Date.now();
    const b = await store.acquire(key, 'b', 2, limits, LOCK, false);
    const c = await store.acquire(key, 'c', 3, limits, LOCK, false);
    const between = Date.now() - before;
    expect(b.verdict).toBe('later');
    expect(c.verdict).toBe('later');
    const delays = [b, c].map((x) => (x.verdict === 'later' ? x.delayMs : -1));
    expect(delays[0]).toBeGreaterThan(50);
    // c's time is one interval after b's, less the time that passed between the two calls.
    expect(delays[1]! - delays[0]!).toBeGreaterThanOrEqual(100 - between - 2);
    // Back early, b is sent away again; at its time it goes.
    expect((await store.acquire(key, 'b', 2, limits, LOCK, false)).verdict).toBe('later');
    await new Promise((r) => setTimeout(r, delays[0]! + 20));
    expect((await store.acquire(key, 'b', 2, limits, LOCK, false)).verdict).toBe('go');
  });
});

describe('the circuit breaker', () => {
  it('opens after consecutive failures, holds work back, lets one probe through after the cooldown and closes on success', async () => {
    const key = 'breaker.example:443';
    const limits = { concurrency: 0, rate: 0 };
    for (const id of ['a', 'b']) expect((await store.acquire(key, id, 1, limits, LOCK, true)).verdict).toBe('go');
    expect((await store.release(key, 'a', 'fail', breaker)).change).toBe('');
    expect((await store.release(key, 'b', 'fail', breaker)).change).toBe('open');
    expect(await store.acquire(key, 'c', 3, limits, LOCK, true)).toMatchObject({ verdict: 'wait', reason: 'breaker' });
    await store.parked(key, 'c');
    expect(await store.acquire(key, 'd', 4, limits, LOCK, true)).toMatchObject({ verdict: 'wait' });
    await store.parked(key, 'd');
    expect((await store.list(100)).find((v) => v.key === key)).toMatchObject({ waiting: 2, breaker: { state: 'open', trips: 1 } });
    await new Promise((r) => setTimeout(r, 350));
    // One probe only: the oldest waiting job.
    expect(await store.sweep(100)).toEqual([{ key, jobId: 'c' }]);
    expect((await store.acquire(key, 'c', 3, limits, LOCK, true)).verdict).toBe('go');
    // The probe fails: open again, for twice as long.
    expect((await store.release(key, 'c', 'fail', breaker)).change).toBe('open');
    expect((await store.list(100)).find((v) => v.key === key)).toMatchObject({ breaker: { state: 'open', trips: 2 } });
    await new Promise((r) => setTimeout(r, 650));
    expect(await store.sweep(100)).toEqual([{ key, jobId: 'd' }]);
    expect((await store.acquire(key, 'd', 4, limits, LOCK, true)).verdict).toBe('go');
    const closed = await store.release(key, 'd', 'ok', breaker);
    expect(closed.change).toBe('closed');
  });
});

describe('pause and resume', () => {
  it('hold new attempts until resumed, then wake the waiting ones', async () => {
    const key = 'tenant-7';
    await store.setPaused(key, true);
    expect(await store.acquire(key, 'a', 1, { concurrency: 0, rate: 0 }, LOCK, false)).toMatchObject({ verdict: 'wait', reason: 'paused' });
    await store.parked(key, 'a');
    expect((await store.list(100)).find((v) => v.key === key)).toMatchObject({ paused: true, waiting: 1 });
    expect(await store.setPaused(key, false)).toEqual(['a']);
    expect((await store.acquire(key, 'a', 1, { concurrency: 0, rate: 0 }, LOCK, false)).verdict).toBe('go');
    // Nothing left to remember: the key leaves the list.
    expect((await store.list(100)).find((v) => v.key === key)).toBeUndefined();
  });

  it('wake a large backlog as it is taken: a resume wakes 200, each attempt that starts two more', async () => {
    const key = 'resumed.example:443';
    const none = { concurrency: 0, rate: 0 };
    // A store of its own: the backlog it leaves would be in the other tests' sweeps.
    const store = createFlowStore(redis, uniquePrefix('flow-resumed'));
    await store.setPaused(key, true);
    const ids = Array.from({ length: 300 }, (_, i) => `j${String(i).padStart(3, '0')}`);
    for (const [i, id] of ids.entries()) {
      expect((await store.acquire(key, id, i, none, LOCK, false)).verdict).toBe('wait');
      await store.parked(key, id);
    }
    expect(await store.setPaused(key, false)).toEqual(ids.slice(0, 200));
    // Each woken job waking 200 more would wake the whole backlog in a burst.
    expect(await store.acquire(key, 'j000', 0, none, LOCK, false)).toMatchObject({ verdict: 'go', woken: ['j200', 'j201'] });
    expect(await store.acquire(key, 'j001', 1, none, LOCK, false)).toMatchObject({ verdict: 'go', woken: ['j202', 'j203'] });
  });
});

describe('slots of long attempts', () => {
  it('stay held while renewed, and expire once renewals stop', async () => {
    const key = 'renew.example:443';
    const limits = { concurrency: 1, rate: 0 };
    await store.acquire(key, 'a', 1, limits, 200, true);
    expect((await store.acquire(key, 'b', 2, limits, 200, true)).verdict).toBe('wait');
    await store.parked(key, 'b');
    for (let i = 0; i < 6; i += 1) {
      await new Promise((r) => setTimeout(r, 80));
      expect(await store.renew(key, 'a', 200)).toBe(true);
      expect(await store.sweep(100)).toEqual([]);
    }
    await new Promise((r) => setTimeout(r, 300));
    expect(await store.sweep(100)).toContainEqual({ key, jobId: 'b' });
    expect(await store.renew(key, 'a', 200)).toBe(false);
  });
});

describe('a slot granted to a job that is gone', () => {
  it('is given back at once and passed on to the next in line', async () => {
    const key = 'gone.example:443';
    const limits = { concurrency: 1, rate: 0 };
    await store.acquire(key, 'a', 1, limits, LOCK, true);
    for (const [id, order] of [['b', 2], ['c', 3]] as const) {
      expect((await store.acquire(key, id, order, limits, LOCK, true)).verdict).toBe('wait');
      await store.parked(key, id);
    }
    expect((await store.release(key, 'a', 'ok', noBreaker)).woken).toEqual(['b']);
    // b was cancelled while asleep: its slot goes to c.
    expect(await store.drop(key, ['b'])).toEqual(['c']);
    expect((await store.acquire(key, 'c', 3, limits, LOCK, true)).verdict).toBe('go');
    // c arrived: a late report that it is gone takes nothing from it.
    expect(await store.drop(key, ['c'])).toEqual([]);
    expect((await store.list(100)).find((v) => v.key === key)).toMatchObject({ in_flight: 1, waiting: 0 });
  });
});

describe('keys nobody uses any more', () => {
  const idleMs = 400;
  let short: FlowStore;
  let prefix: string;
  beforeAll(() => {
    prefix = uniquePrefix('flow-idle');
    short = createFlowStore(redis, prefix, { idleMs });
  });
  const partsOf = (key: string) => ['held', 'wait', 'since', 'parking', 'granted', 'rsv', 'state'].map((p) => `${prefix}:flow:k:${key}:${p}`);

  it('expire from Redis after the idle time, and leave the index', async () => {
    const key = 'stale.example:443';
    await short.acquire(key, 'a', 1, { concurrency: 1, rate: 0 }, 100, true);
    // A failure counted: something to remember, so the key outlives the attempt.
    await short.release(key, 'a', 'fail', { failures: 5, cooldownMs: 100, cooldownMaxMs: 100 });
    const ttl = await redis.pttl(`${prefix}:flow:k:${key}:state`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(idleMs);
    expect(await redis.zscore(`${prefix}:flow:keys`, key)).not.toBeNull();
    await new Promise((r) => setTimeout(r, idleMs + 1200));
    expect(await redis.exists(...partsOf(key))).toBe(0);
    await short.sweep(100);
    expect(await redis.zscore(`${prefix}:flow:keys`, key)).toBeNull();
  });

  it('live on while requests wait in them, however long', async () => {
    const key = 'paused.example:443';
    await short.setPaused(key, true);
    expect((await short.acquire(key, 'a', 1, { concurrency: 0, rate: 0 }, 100, false)).verdict).toBe('wait');
    await short.parked(key, 'a');
    for (let i = 0; i < 8; i += 1) {
      await new Promise((r) => setTimeout(r, 150));
      await short.sweep(100);
    }
    expect((await short.list(100)).find((v) => v.key === key)).toMatchObject({ paused: true, waiting: 1 });
    expect(await short.setPaused(key, false)).toEqual(['a']);
  });

  it('keep their rate reservations past the idle time', async () => {
    const key = 'slow-rate.example:443';
    const limits = { concurrency: 0, rate: 1 };
    await short.acquire(key, 'a', 1, limits, 100, false);
    await short.acquire(key, 'b', 2, limits, 100, false);
    const c = await short.acquire(key, 'c', 3, limits, 100, false);
    expect(c).toMatchObject({ verdict: 'later' });
    // c's turn is 2 s away, beyond the idle time: the reservation outlives it.
    expect(await redis.pttl(`${prefix}:flow:k:${key}:rsv`)).toBeGreaterThan((c as { delayMs: number }).delayMs);
  });
});

describe('the sweep', () => {
  it('goes to the keys that are due, however many others there are', async () => {
    const mine = createFlowStore(redis, uniquePrefix('flow-due'));
    const counting = { failures: 1000, cooldownMs: 1000, cooldownMaxMs: 1000 };
    await Promise.all(Array.from({ length: 1000 }, async (_, i) => {
      await mine.acquire(`stale-${i}`, 'x', 1, { concurrency: 1, rate: 0 }, LOCK, true);
      await mine.release(`stale-${i}`, 'x', 'fail', counting);
    }));
    const key = 'cooling.example:443';
    const limits = { concurrency: 0, rate: 0 };
    await mine.acquire(key, 'a', 1, limits, LOCK, true);
    expect((await mine.release(key, 'a', 'fail', { failures: 1, cooldownMs: 200, cooldownMaxMs: 200 })).change).toBe('open');
    expect((await mine.acquire(key, 'b', 2, limits, LOCK, true)).verdict).toBe('wait');
    await mine.parked(key, 'b');
    await new Promise((r) => setTimeout(r, 300));
    // The first sweep after the cooldown, of 100 keys, sends the probe.
    expect(await mine.sweep(100)).toEqual([{ key, jobId: 'b' }]);
  });
});
