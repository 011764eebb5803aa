import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request, sharedRedisUrl, startApi, startWorker, stopAll, targetPool, uniquePrefix, type ApiProcess, type ChildHandle } from '@knocker/test-kit';

const targets = targetPool();
const children: ChildHandle[] = [];
let api: ApiProcess;

beforeAll(async () => {
  const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('flow-rate'), env: { MAX_EVENT_LOOP_DELAY_MS: '0', MAX_ANSWER_DELAY_MS: '0', WORKER_CONCURRENCY: '50', HOST_RATE: '10' } };
  api = await startApi(opts);
  children.push(api, ...(await Promise.all([startWorker(opts), startWorker(opts)])));
});
afterAll(async () => {
  await stopAll(children);
  await targets.closeAll();
});

describe('HOST_RATE across worker processes', () => {
  it('spreads 50 requests to one target over at least 4.5 s, each on its first attempt', async () => {
    const t = await targets.start();
    const N = 50;
    await Promise.all(Array.from({ length: N }, async () => {
      const res = await request(`${api.url}/hook`, { method: 'POST', headers: { 'Knocker-Host': t.host }, body: 'x' });
      expect(res.status).toBe(200);
    }));
    const seen = await t.waitForRequests(N, 60_000);
    const spread = seen[N - 1]!.at - seen[0]!.at;
    console.log(`HOST_RATE=10: ${N} requests arrived over ${spread} ms`);
    expect(spread).toBeGreaterThanOrEqual(4500);
    expect(seen.every((r) => r.headers['x-knocker-attempt'] === '1')).toBe(true);
  }, 90_000);

  it('limits each target on its own: two targets together get twice the rate', async () => {
    const [a, b] = [await targets.start(), await targets.start()];
    await Promise.all(Array.from({ length: 20 }, (_, i) => request(`${api.url}/hook`, { method: 'POST', headers: { 'Knocker-Host': (i % 2 ? a : b).host }, body: 'x' })));
    const [sa, sb] = await Promise.all([a.waitForRequests(10, 30_000), b.waitForRequests(10, 30_000)]);
    for (const seen of [sa, sb]) expect(seen[9]!.at - seen[0]!.at).toBeGreaterThanOrEqual(800);
  }, 60_000);
});
