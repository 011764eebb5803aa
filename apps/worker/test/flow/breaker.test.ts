import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, sleep, startApi, startWorker, stopAll, targetPool, uniquePrefix, waitFor, type ApiProcess, type ChildHandle, type KnockerProcess,
} from '@knocker/test-kit';

const ADMIN = 'admin-key-for-flow-tests-0123';
const targets = targetPool();
const children: ChildHandle[] = [];
let api: ApiProcess;
let workers: KnockerProcess[];

beforeAll(async () => {
  const opts = {
    redisUrl: sharedRedisUrl(), prefix: uniquePrefix('flow-breaker'),
    // No load shedding: a busy test machine would otherwise refuse requests with 503.
    env: { MAX_EVENT_LOOP_DELAY_MS: '0', MAX_ANSWER_DELAY_MS: '0', WORKER_CONCURRENCY: '50', BREAKER_FAILURES: '20', BREAKER_COOLDOWN: '3', ADMIN_API_KEY: ADMIN },
  };
  api = await startApi(opts);
  workers = await Promise.all([startWorker(opts), startWorker(opts)]);
  children.push(api, ...workers);
});
afterAll(async () => {
  await stopAll(children);
  await targets.closeAll();
});

async function knock(headers: Record<string, string>): Promise<string> {
  const res = await request(`${api.url}/hook`, { method: 'POST', headers, body: 'x' });
  expect(res.status).toBe(200);
  return res.json().config.id;
}
const admin = (method: string, path: string, body?: unknown) =>
  request(`${api.url}/knocker/${path}`, { method, headers: { 'Knocker-Admin-Key': ADMIN, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
const hostView = async (key: string) => ((await admin('GET', 'hosts')).json().hosts as Array<{ key: string }>).find((h) => h.key === key) as any;
const metric = async (name: string) => {
  let sum = 0;
  for (const w of workers) {
    const text = (await request(`${w.url}/metrics`)).text;
    for (const m of text.matchAll(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'gm'))) sum += Number(m[1]);
  }
  return sum;
};

describe('the circuit breaker', () => {
  it('opens after 20 failures, holds work back without spending attempts, probes once after the pause and closes', async () => {
    let broken = true;
    const answered: number[] = [];
    const t = await targets.start((r) => {
      answered[r.n] = Date.now();
      return { status: broken ? 500 : 200 };
    });
    const first = await Promise.all(Array.from({ length: 20 }, () => knock({ 'Knocker-Host': t.host, 'Knocker-Retries': '3', 'Knocker-Backoff-Factor': '1' })));
    await t.waitForRequests(20, 30_000);
    await waitFor(() => workers.some((w) => /Circuit breaker for 127\.0\.0\.1:\d+ opened/.test(w.output())), { timeoutMs: 10_000, what: 'the breaker to open' });
    expect(await hostView(t.host)).toMatchObject({ breaker: { state: 'open', trips: 1 } });
    expect((await hostView(t.host)).breaker.consecutive_failures).toBeGreaterThanOrEqual(20);

    // Later requests, and the retries of the first ones, wait.
    await Promise.all(Array.from({ length: 20 }, () => knock({ 'Knocker-Host': t.host, 'Knocker-Retries': '3' })));
    await waitFor(async () => (await hostView(t.host))?.waiting === 40, { timeoutMs: 10_000, what: 'all 40 requests waiting' });
    expect(t.requests).toHaveLength(20);
    broken = false;

    const seen = await t.waitForRequests(60, 60_000);
    await sleep(300);
    expect(t.requests).toHaveLength(60);
    const probe = seen[20]!;
    // The pause lasted the cooldown, and the probe went alone: the next came after its answer.
    expect(probe.at - seen[19]!.at).toBeGreaterThanOrEqual(2500);
    expect(seen[21]!.at).toBeGreaterThanOrEqual(answered[21]!);
    // Waiting spent nothing: the first 20 succeeded on their second attempt, the others on their first.
    const attemptOf = new Map(seen.slice(20).map((r) => [r.headers['x-knocker-id'], r.headers['x-knocker-attempt']]));
    expect(first.map((id) => attemptOf.get(id))).toEqual(Array(20).fill('2'));
    expect([...attemptOf.values()].filter((a) => a === '1')).toHaveLength(20);
    await waitFor(() => workers.some((w) => /Circuit breaker for 127\.0\.0\.1:\d+ closed/.test(w.output())), { timeoutMs: 5000, what: 'the breaker to close' });
    expect(await metric('knocker_flow_breaker_changes_total{state="open"}')).toBe(1);
    expect(await metric('knocker_flow_breaker_changes_total{state="closed"}')).toBe(1);
  }, 120_000);
});

describe('pausing a key by hand', () => {
  it('holds its deliveries until resumed', async () => {
    const t = await targets.start();
    const key = `${t.host}`;
    expect((await admin('POST', `hosts/${key}/pause`)).json()).toEqual({ status: true, key, paused: true });
    await Promise.all(Array.from({ length: 5 }, () => knock({ 'Knocker-Host': t.host })));
    await waitFor(async () => (await hostView(key))?.waiting === 5, { timeoutMs: 10_000, what: '5 requests waiting' });
    expect(await hostView(key)).toMatchObject({ paused: true, in_flight: 0 });
    await sleep(500);
    expect(t.requests).toHaveLength(0);
    expect((await admin('POST', `hosts/${key}/resume`)).json()).toEqual({ status: true, key, paused: false });
    await t.waitForRequests(5, 10_000);
  }, 60_000);

  it('refuses a malformed key with a 400 naming it', async () => {
    const res = await admin('POST', 'hosts/a%20b/pause');
    expect(res.status).toBe(400);
    expect(res.json().errors).toHaveProperty('key');
  });
});

describe('bulk replay', () => {
  it("replays a target's failed requests after it recovers, a bounded number per call", async () => {
    let down = true;
    const t = await targets.start(() => ({ status: down ? 503 : 200 }));
    const other = await targets.start(() => ({ status: 503 }));
    const ids = await Promise.all(Array.from({ length: 5 }, () => knock({ 'Knocker-Host': t.host, 'Knocker-Retries': '0' })));
    await knock({ 'Knocker-Host': other.host, 'Knocker-Retries': '0' });
    const failed = async (id: string) => (await admin('GET', `requests/${id}`)).json().state === 'failed';
    await waitFor(async () => (await Promise.all(ids.map(failed))).every(Boolean), { timeoutMs: 20_000, what: 'the 5 requests to fail' });
    await other.waitForRequests(1, 10_000);
    down = false;

    expect((await admin('POST', 'requests/retry', { host: t.host, status_code: 404 })).json()).toMatchObject({ replayed: 0, more: false });
    const one = (await admin('POST', 'requests/retry', { host: t.host, limit: 3 })).json();
    expect(one).toMatchObject({ status: true, replayed: 3, more: true });
    const two = (await admin('POST', 'requests/retry', { host: t.host, status_code: 503, since: new Date(Date.now() - 600_000).toISOString() })).json();
    expect(two).toMatchObject({ replayed: 2, more: false });
    expect([...one.ids, ...two.ids].sort()).toEqual([...ids].sort());
    await t.waitForRequests(10, 20_000);
    await sleep(300);
    // Only the target asked for: the other one's failed request stays failed.
    expect(other.requests).toHaveLength(1);
    expect(t.requests.slice(5).map((r) => r.headers['x-knocker-attempt'])).toEqual(Array(5).fill('1'));
  }, 60_000);

  it('refuses bad filters, naming them', async () => {
    const res = await admin('POST', 'requests/retry', { limit: 0, since: 'yesterday', colour: 'red' });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json().errors).sort()).toEqual(['colour', 'limit', 'since']);
    expect((await admin('POST', 'requests/retry', [1])).status).toBe(400);
  });
});
