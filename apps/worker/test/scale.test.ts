import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, startApi, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type ApiProcess, type ChildHandle, type Target,
} from '@knocker/test-kit';

const N = 1000;
let api: ApiProcess;
let t: Target;
const children: ChildHandle[] = [];

beforeAll(async () => {
  const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('scale'), env: { WORKER_CONCURRENCY: '20' } };
  t = await startTarget();
  api = await startApi(opts);
  children.push(api, ...(await Promise.all([startWorker(opts), startWorker(opts), startWorker(opts)])));
});
afterAll(async () => {
  await stopAll(children);
  await t?.close();
});

describe('three workers sharing one queue', () => {
  it(`deliver ${N} requests exactly once each`, async () => {
    let next = 0;
    const send = async () => {
      while (next < N) {
        const i = next++;
        const res = await request(`${api.url}/item/${i}`, { method: 'POST', headers: { 'Knocker-Host': t.host, 'Knocker-Id': `item-${i}` }, body: String(i) });
        expect(res.status).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: 16 }, send));
    await waitFor(() => t.requests.length >= N, { timeoutMs: 60_000, what: `${N} deliveries` });
    await new Promise((r) => setTimeout(r, 500));
    const urls = t.requests.map((r) => r.url);
    expect(urls).toHaveLength(N);
    expect(new Set(urls).size).toBe(N);
    for (const worker of children.slice(1)) expect(worker.output()).toMatch(/done in/);
    const status = (await request(`${api.url}/knocker/status`)).json();
    expect(status).toMatchObject({ processed: N, delivered: N, failed: 0 });
  }, 90_000);
});
