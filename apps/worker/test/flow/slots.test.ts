import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, sleep, startApi, startWorker, stopAll, targetPool, uniquePrefix, waitFor, type ApiProcess, type ChildHandle, type Responder,
} from '@knocker/test-kit';

// Slots held by attempts to slow targets, and slots granted to requests that never come.
const ADMIN = 'admin-key-for-flow-slot-tests-01';
const targets = targetPool();
const children: ChildHandle[] = [];

afterAll(async () => {
  await stopAll(children);
  await targets.closeAll();
});

async function startRelay(env: Record<string, string>): Promise<ApiProcess> {
  const opts = {
    redisUrl: sharedRedisUrl(), prefix: uniquePrefix('flow-slots'),
    // No load shedding: a busy test machine would otherwise refuse requests with 503.
    env: { MAX_EVENT_LOOP_DELAY_MS: '0', MAX_ANSWER_DELAY_MS: '0', WORKER_CONCURRENCY: '10', ADMIN_API_KEY: ADMIN, ...env },
  };
  const api = await startApi(opts);
  children.push(api, ...(await Promise.all([startWorker(opts), startWorker(opts)])));
  return api;
}

async function knock(api: ApiProcess, headers: Record<string, string>): Promise<string> {
  const res = await request(`${api.url}/hook`, { method: 'POST', headers, body: 'x' });
  expect(res.status).toBe(200);
  return res.json().config.id;
}

const admin = (api: ApiProcess, method: string, path: string) =>
  request(`${api.url}/knocker/${path}`, { method, headers: { 'Knocker-Admin-Key': ADMIN } });
const waitingAt = async (api: ApiProcess, key: string): Promise<number> =>
  ((await admin(api, 'GET', 'hosts')).json().hosts as Array<{ key: string; waiting: number }>).find((h) => h.key === key)?.waiting ?? 0;

/** Holds each request `ms`, counting those held at once; `answered[n]` is when request n was answered. */
function holding(ms: number, gauge: { now: number; max: number; answered: number[] }, status: (n: number) => number = () => 200): Responder {
  return async (r) => {
    gauge.now += 1;
    gauge.max = Math.max(gauge.max, gauge.now);
    const s = status(r.n);
    if (s === 200) await sleep(ms);
    gauge.now -= 1;
    gauge.answered[r.n] = Date.now();
    return { status: s };
  };
}

describe('a slot held by an attempt longer than the lock duration', () => {
  let api: ApiProcess;
  // Slots would expire after 1.5 s; each attempt takes 3.5 s. The probe's key has no concurrency limit.
  beforeAll(async () => {
    api = await startRelay({ LOCK_DURATION_MS: '1500', HOST_CONCURRENCY: '1', HOST_LIMITS: 'probe-key concurrency=0', BREAKER_FAILURES: '1', BREAKER_COOLDOWN: '1' });
  });

  it('stays held: the target never sees more requests at once than HOST_CONCURRENCY', async () => {
    const gauge = { now: 0, max: 0, answered: [] as number[] };
    const t = await targets.start(holding(3500, gauge));
    await Promise.all(Array.from({ length: 3 }, () => knock(api, { 'Knocker-Host': t.host, 'Knocker-Timeout': '10' })));
    const seen = await t.waitForRequests(3, 60_000);
    await sleep(500);
    expect(gauge.max).toBe(1);
    expect(t.requests).toHaveLength(3);
    // Each started after the one before it was answered.
    expect(seen[1]!.at).toBeGreaterThanOrEqual(gauge.answered[1]!);
    expect(seen[2]!.at).toBeGreaterThanOrEqual(gauge.answered[2]!);
  }, 90_000);

  it('sends a breaker probe once, however long it takes', async () => {
    // The first request fails and opens the breaker; the probe (request 2) takes 3.5 s.
    const gauge = { now: 0, max: 0, answered: [] as number[] };
    const t = await targets.start(holding(3500, gauge, (n) => (n === 1 ? 500 : 200)));
    const headers = { 'Knocker-Host': t.host, 'Knocker-Flow-Key': 'probe-key', 'Knocker-Timeout': '10', 'Knocker-Retries': '0' };
    await knock(api, headers);
    await t.waitForRequests(1, 20_000);
    await Promise.all(Array.from({ length: 3 }, () => knock(api, headers)));
    const seen = await t.waitForRequests(4, 60_000);
    await sleep(500);
    expect(t.requests).toHaveLength(4);
    // Nothing went while the probe was under way: the next ones followed its answer.
    expect(seen[2]!.at).toBeGreaterThanOrEqual(gauge.answered[2]!);
    expect(seen[3]!.at).toBeGreaterThanOrEqual(gauge.answered[2]!);
  }, 90_000);
});

describe('a waiting request cancelled before its turn', () => {
  it('does not keep the slot it is granted: the next one starts at once, not a lock duration later', async () => {
    // The default lock duration (30 s): a slot granted to a request that never comes is
    // otherwise held that long.
    const api = await startRelay({ HOST_CONCURRENCY: '1' });
    const gauge = { now: 0, max: 0, answered: [] as number[] };
    const t = await targets.start(holding(2000, gauge));
    const headers = { 'Knocker-Host': t.host, 'Knocker-Timeout': '10' };
    await knock(api, headers);
    await t.waitForRequests(1, 20_000);
    const ids: string[] = [];
    // One at a time, so the waiting line is in this order.
    for (let i = 0; i < 3; i += 1) ids.push(await knock(api, headers));
    await waitFor(async () => (await waitingAt(api, t.host)) === 3, { timeoutMs: 10_000, what: '3 requests waiting' });
    const cancelled = await admin(api, 'DELETE', `requests/${ids[0]}`);
    expect(cancelled.json()).toMatchObject({ status: true, state: 'cancelled' });

    const seen = await t.waitForRequests(3, 60_000);
    await sleep(300);
    expect(seen.map((r) => r.headers['x-knocker-id'])).toEqual([expect.any(String), ids[1], ids[2]]);
    const gap = seen[1]!.at - gauge.answered[1]!;
    console.log(`Cancelled waiter: the next request started ${gap} ms after the slot was freed`);
    // Without giving the slot back it would have waited the 30 s lock duration.
    expect(gap).toBeLessThan(10_000);
  }, 90_000);
});
