import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, startApi, startWorker, stopAll, targetPool, uniquePrefix, waitFor, type ApiProcess, type ChildHandle,
} from '@knocker/test-kit';

// A key resumed after a pause wakes its whole backlog at once. Those requests were parked on
// their first attempt; if they came back as first attempts they would queue ahead of every new
// request, to any target, until the backlog drained.
const ADMIN = 'admin-key-for-flow-tests-0123';
const targets = targetPool();
const children: ChildHandle[] = [];
let api: ApiProcess;

beforeAll(async () => {
  const opts = {
    redisUrl: sharedRedisUrl(), prefix: uniquePrefix('flow-resume'),
    // One delivery at a time, so the order of the queue is the order of arrival. The breaker
    // only turns flow control on; it never opens here.
    env: { MAX_EVENT_LOOP_DELAY_MS: '0', MAX_ANSWER_DELAY_MS: '0', WORKER_CONCURRENCY: '1', BREAKER_FAILURES: '1000', ADMIN_API_KEY: ADMIN },
  };
  api = await startApi(opts);
  children.push(api, await startWorker(opts));
}, 90_000);
afterAll(async () => {
  await stopAll(children);
  await targets.closeAll();
});

async function knock(host: string): Promise<void> {
  const res = await request(`${api.url}/hook`, { method: 'POST', headers: { 'Knocker-Host': host }, body: 'x' });
  expect(res.status).toBe(200);
}
const admin = (method: string, path: string) => request(`${api.url}/knocker/${path}`, { method, headers: { 'Knocker-Admin-Key': ADMIN } });
const waiting = async (key: string) => ((await admin('GET', 'hosts')).json().hosts as Array<{ key: string; waiting: number }>).find((h) => h.key === key)?.waiting;

describe('a paused key resumed with a backlog', () => {
  it('lets a new request to another target go before the backlog it wakes', async () => {
    const parked = await targets.start(() => ({ status: 200, delayMs: 100 }));
    const other = await targets.start();
    expect((await admin('POST', `hosts/${parked.host}/pause`)).status).toBe(200);
    for (let i = 0; i < 20; i += 1) await knock(parked.host);
    await waitFor(async () => (await waiting(parked.host)) === 20, { timeoutMs: 20_000, what: '20 requests parked' });
    expect((await admin('POST', `hosts/${parked.host}/resume`)).status).toBe(200);
    // The backlog is awake once its first request arrives; the new one is sent only then.
    await parked.waitForRequests(1, 10_000);
    await knock(other.host);
    const [fresh] = await other.waitForRequests(1, 10_000);
    await parked.waitForRequests(20, 20_000);
    const before = parked.requests.filter((r) => r.at <= fresh!.at).length;
    // Behind the backlog it would have come after all 20 (about 2 s); now after the one or
    // two that were already taken.
    expect(before).toBeLessThanOrEqual(3);
  }, 90_000);
});
