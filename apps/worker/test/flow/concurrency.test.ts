import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, sleep, startApi, startWorker, stopAll, targetPool, uniquePrefix, waitFor, type ApiProcess, type ChildHandle, type Responder,
} from '@knocker/test-kit';

const targets = targetPool();
const children: ChildHandle[] = [];
let api: ApiProcess;

// Two workers of 50 each could run 100 attempts at once; the limits allow 2 per key. Two
// queue shards: a key's requests are spread over both, and counted together.
beforeAll(async () => {
  const opts = {
    redisUrl: sharedRedisUrl(), prefix: uniquePrefix('flow-conc'),
    // No load shedding: a busy test machine would otherwise refuse requests with 503.
    env: { MAX_EVENT_LOOP_DELAY_MS: '0', MAX_ANSWER_DELAY_MS: '0', WORKER_CONCURRENCY: '50', HOST_CONCURRENCY: '2', HOST_LIMITS: 'tenant-1 concurrency=3', QUEUE_SHARDS: '2' },
  };
  api = await startApi(opts);
  children.push(api, ...(await Promise.all([startWorker(opts), startWorker(opts)])));
});
afterAll(async () => {
  await stopAll(children);
  await targets.closeAll();
});

/** A target that answers after `ms`, counting the requests it holds at once in `gauge`. */
function slow(ms: number, gauge: { now: number; max: number }): Responder {
  return async () => {
    gauge.now += 1;
    gauge.max = Math.max(gauge.max, gauge.now);
    await sleep(ms);
    gauge.now -= 1;
    return { status: 200 };
  };
}

async function knock(headers: Record<string, string>): Promise<void> {
  const res = await request(`${api.url}/hook`, { method: 'POST', headers, body: 'x' });
  expect(res.status).toBe(200);
}

describe('HOST_CONCURRENCY across worker processes', () => {
  it('never lets a target see more than 2 requests at once, and delivers all of them', async () => {
    const gauge = { now: 0, max: 0 };
    const t = await targets.start(slow(100, gauge));
    const N = 40;
    await Promise.all(Array.from({ length: N }, () => knock({ 'Knocker-Host': t.host })));
    await t.waitForRequests(N, 90_000);
    expect(gauge.max).toBe(2);
    // Both workers took part: the limit held across processes, not within one.
    await waitFor(() => children.slice(1).every((w) => /done in/.test(w.output())), { timeoutMs: 10_000, what: 'both workers delivering' });
    await sleep(500);
    expect(t.requests).toHaveLength(N);
    expect(new Set(t.requests.map((r) => r.headers['x-knocker-id'])).size).toBe(N);
  }, 120_000);

  it('counts requests to different hosts under one Knocker-Flow-Key together, with its own HOST_LIMITS entry', async () => {
    const gauge = { now: 0, max: 0 };
    const [a, b] = [await targets.start(slow(100, gauge)), await targets.start(slow(100, gauge))];
    const N = 20;
    await Promise.all(Array.from({ length: N }, (_, i) => knock({ 'Knocker-Host': (i % 2 ? a : b).host, 'Knocker-Flow-Key': 'tenant-1' })));
    await Promise.all([a.waitForRequests(N / 2, 90_000), b.waitForRequests(N / 2, 90_000)]);
    expect(gauge.max).toBe(3);
  }, 120_000);

  it('spends no attempt on waiting: every request was delivered on its first attempt', async () => {
    const gauge = { now: 0, max: 0 };
    const t = await targets.start(slow(50, gauge));
    await Promise.all(Array.from({ length: 10 }, () => knock({ 'Knocker-Host': t.host, 'Knocker-Retries': '0' })));
    const seen = await t.waitForRequests(10, 60_000);
    expect(seen.map((r) => r.headers['x-knocker-attempt'])).toEqual(Array(10).fill('1'));
  }, 90_000);
});

describe('Knocker-Flow-Key at the door', () => {
  it('is refused with a 400 naming it when malformed', async () => {
    const res = await request(`${api.url}/hook`, { method: 'POST', headers: { 'Knocker-Host': 'example.com', 'Knocker-Flow-Key': 'has space' }, body: 'x' });
    expect(res.status).toBe(400);
    expect(res.json().errors).toHaveProperty('knocker-flow-key');
  });
});
