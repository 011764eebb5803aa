import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createFlowStore } from '@knocker/flow';
import {
  request, sharedRedisUrl, startApi, startWorker, stopAll, targetPool, uniquePrefix, type ApiProcess, type ChildHandle,
} from '@knocker/test-kit';

// Many flow keys that nobody uses any more, each remembering a failed attempt, and one key
// whose breaker cooldown ends: the sweep must come to that one without going through the rest.
const STALE = 20_000;
const prefix = uniquePrefix('flow-sweep');
const targets = targetPool();
const children: ChildHandle[] = [];
let redis: Redis;
let api: ApiProcess;

beforeAll(async () => {
  redis = new Redis(sharedRedisUrl());
  const store = createFlowStore(redis, prefix);
  const limits = { concurrency: 1, rate: 0 };
  const counting = { failures: 1000, cooldownMs: 1000, cooldownMaxMs: 1000 };
  for (let i = 0; i < STALE; i += 1000) {
    await Promise.all(Array.from({ length: 1000 }, async (_, j) => {
      const key = `stale-${i + j}`;
      await store.acquire(key, 'gone', 1, limits, 30_000, true);
      await store.release(key, 'gone', 'fail', counting);
    }));
  }
  const opts = {
    redisUrl: sharedRedisUrl(), prefix,
    env: { MAX_EVENT_LOOP_DELAY_MS: '0', MAX_ANSWER_DELAY_MS: '0', BREAKER_FAILURES: '1', BREAKER_COOLDOWN: '1' },
  };
  api = await startApi(opts);
  // One worker: one sweep a second.
  children.push(api, await startWorker(opts));
}, 120_000);
afterAll(async () => {
  await stopAll(children);
  await targets.closeAll();
  redis?.disconnect();
});

async function knock(headers: Record<string, string>): Promise<void> {
  const res = await request(`${api.url}/hook`, { method: 'POST', headers, body: 'x' });
  expect(res.status).toBe(200);
}

describe('the flow-control sweep', () => {
  it('probes a key whose breaker cooldown ended within a few sweeps, whatever number of stale keys', async () => {
    const t = await targets.start((r) => ({ status: r.n === 1 ? 500 : 200 }));
    const headers = { 'Knocker-Host': t.host, 'Knocker-Retries': '0' };
    await knock(headers);
    const [failed] = await t.waitForRequests(1, 20_000);
    await knock(headers);
    // Nothing but the sweep wakes the waiting request once the 1 s cooldown is over. Taking
    // keys in turn, 100 a sweep, it would come to this one after 200 sweeps.
    const seen = await t.waitForRequests(2, 30_000);
    const after = seen[1]!.at - failed!.at;
    console.log(`Sweep: the probe went ${after} ms after the breaker opened, among ${STALE} stale keys`);
    expect(after).toBeLessThan(20_000);
  }, 60_000);

  it('gives every flow key a bounded time to live, so abandoned ones leave Redis by themselves', async () => {
    const base = `${prefix}:flow:k:stale-7`;
    const ttl = await redis.pttl(`${base}:state`);
    expect(ttl).toBeGreaterThan(0);
    // An hour unused, plus the 30 s lock duration at most.
    expect(ttl).toBeLessThanOrEqual(3_600_000 + 30_000);
    for (const part of ['held', 'wait', 'since', 'parking', 'granted', 'rsv']) {
      const key = `${base}:${part}`;
      if (await redis.exists(key)) expect(await redis.pttl(key)).toBeGreaterThan(0);
    }
  });
});
