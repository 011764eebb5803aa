import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { flowKeys } from '@knocker/keys';
import { sharedRedisUrl, uniquePrefix } from '@knocker/test-kit';
import { createFlowGate, createFlowStore, type FlowStore } from '../src/index.js';

// A key's own limits (QStash flow control) beside the operator's, in a Redis of the test kit's.
const LOCK = 30_000;
const OFF = { concurrency: 0, rate: 0 };
const noBreaker = { failures: 0, cooldownMs: 1000, cooldownMaxMs: 1000 };
const prefix = uniquePrefix('own-limits');
let redis: Redis;
let store: FlowStore;

beforeAll(() => {
  redis = new Redis(sharedRedisUrl());
  store = createFlowStore(redis, prefix, { limitedMax: 4, idleMs: 60_000 });
});
afterAll(async () => {
  await redis.quit();
});

const incoming = (parallelism: number, rate = 0, periodMs = 1000) => ({ kind: 'incoming' as const, parallelism, rate, periodMs });

describe('a key\'s own limits', () => {
  it('hold a key to its parallelism, and a job holds a slot to release only under a limit', async () => {
    const key = 'own-conc';
    expect(await store.acquire('no-limit', 'n', 1, OFF, LOCK, false)).toMatchObject({ verdict: 'go', tracked: false });
    expect(await store.setLimits(key, incoming(1), OFF)).toEqual([]);
    expect(await store.acquire(key, 'a', 1, OFF, LOCK, false)).toMatchObject({ verdict: 'go', tracked: true });
    expect(await store.acquire(key, 'b', 2, OFF, LOCK, false)).toMatchObject({ verdict: 'wait', reason: 'concurrency' });
    await store.parked(key, 'b');
    expect((await store.release(key, 'a', 'none', noBreaker)).woken).toEqual(['b']);
  });

  it('are capped by the operator\'s: the stricter of each limit applies', async () => {
    await store.setLimits('ceiling', incoming(50, 1000), OFF);
    const operator = { concurrency: 1, rate: 2 };
    await store.acquire('ceiling', 'a', 1, operator, LOCK, true);
    expect(await store.acquire('ceiling', 'b', 2, operator, LOCK, true)).toMatchObject({ verdict: 'wait', reason: 'concurrency' });
    expect((await store.detail('ceiling'))?.applied).toEqual({ concurrency: 1, intervalMs: 500 });
    // A stricter message wins over a looser operator.
    await store.setLimits('ceiling', incoming(50, 1, 10_000), { concurrency: 100, rate: 2 });
    expect((await store.detail('ceiling'))?.applied).toEqual({ concurrency: 50, intervalMs: 10_000 });
  });

  it('are the last message\'s but for the parts pinned; unpinned, messages set them again', async () => {
    const key = 'pins';
    await store.setLimits(key, { kind: 'pin', parallelism: 2 }, OFF);
    await store.setLimits(key, incoming(9, 5, 60_000), OFF);
    expect((await store.detail(key))?.own).toEqual({ parallelism: 2, rate: 5, periodMs: 60_000, pinnedParallelism: true, pinnedRate: false });
    await store.setLimits(key, { kind: 'unpin', parallelism: true, rate: false }, OFF);
    await store.setLimits(key, incoming(9), OFF);
    expect((await store.detail(key))?.own).toEqual({ parallelism: 9, rate: 0, periodMs: 1000, pinnedParallelism: false, pinnedRate: false });
  });

  it('come back from the job that carries them once the key\'s lapsed', async () => {
    const key = 'lapsed';
    expect(await store.detail(key)).toBeUndefined();
    const own = { parallelism: 1, rate: 0, periodMs: 1000 };
    expect(await store.acquire(key, 'a', 1, OFF, LOCK, false, own)).toMatchObject({ verdict: 'go', tracked: true });
    expect(await store.acquire(key, 'b', 2, OFF, LOCK, false, own)).toMatchObject({ verdict: 'wait' });
    expect((await store.detail(key))?.own?.parallelism).toBe(1);
  });

  it('are held by a bounded number of keys; a key whose limits expired makes room', async () => {
    const { limited, part } = flowKeys(prefix);
    // Four keys hold limits above; one more is refused.
    expect(await redis.zcard(limited)).toBe(4);
    expect(await store.setLimits('one-too-many', incoming(1), OFF)).toBe('full');
    expect(await store.detail('one-too-many')).toBeUndefined();
    // A job carrying limits still gets them when there is no room, for itself only.
    expect(await store.acquire('one-too-many', 'a', 1, OFF, LOCK, false, { parallelism: 1, rate: 0, periodMs: 1000 })).toMatchObject({ tracked: true });
    expect((await store.detail('one-too-many'))?.own).toBeUndefined();
    await redis.del(part('pins', 'limits'));
    expect(await store.setLimits('one-too-many', incoming(1), OFF)).toEqual([]);
    expect(await redis.zscore(limited, 'pins')).toBeNull();
  });

  it('expire with the rest of an idle key', async () => {
    const ttl = await redis.pttl(flowKeys(prefix).part('lapsed', 'limits'));
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(2 * LOCK + 60_000);
  });
});

describe('the gate with no flow-control variable set', () => {
  it('never asks Redis for a request that carries no QStash flow key', async () => {
    const untouchable = new Proxy({}, { get: () => { throw new Error('flow control asked Redis'); } }) as FlowStore;
    const settings = { defaults: OFF, overrides: new Map(), breaker: noBreaker };
    const gate = createFlowGate({ store: untouchable, settings, lockMs: LOCK, maxRedirects: 0, wake: async () => [], logger: console as never });
    const job = { data: { config: { id: 'x', host: 'a.example', scheme: 'https', flow_key: 'k' }, acceptedAt: 1, qstash: {} } };
    await expect(gate.admit(job as never, undefined)).resolves.toBeUndefined();
    gate.stop();
  });
});
