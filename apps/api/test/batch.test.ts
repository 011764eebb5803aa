import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request, sharedRedisUrl, sleep, startApi, startWorker, targetPool, uniquePrefix, type ApiProcess, type ChildHandle } from '@knocker/test-kit';

// Batches through a real api and worker, over three shards: every item is what a single request
// with its headers would be, stored before the answer; one bad item stores nothing.
const KEY = 'batch-api-key-0123456789';
const ADMIN = 'batch-admin-key-0123456789';
const targets = targetPool();
let api: ApiProcess;
let worker: ChildHandle;

beforeAll(async () => {
  const env = { QUEUE_SHARDS: '3', KNOCKER_API_KEYS: KEY, ADMIN_API_KEY: ADMIN, BATCH_MAX: '20' };
  const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('batch'), env };
  [api, worker] = await Promise.all([startApi(opts), startWorker(opts)]);
});
afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill(), targets.closeAll()]);
});

const batch = (items: unknown, key: string | null = KEY) =>
  request(`${api.url}/knocker/batch`, { method: 'POST', headers: key === null ? {} : { 'Knocker-Api-Key': key }, body: typeof items === 'string' ? items : JSON.stringify(items) });
const inspect = (id: string) => request(`${api.url}/knocker/requests/${id}`, { headers: { 'Knocker-Admin-Key': ADMIN } });

describe('POST /knocker/batch', () => {
  it('answers each item as a single request with its headers is answered, and delivers every one', async () => {
    const t = await targets.start();
    const headers = { 'Knocker-Host': t.host, 'Knocker-Scheme': 'http', 'Knocker-Retries': '1', 'X-Trace': 'abc', 'Knocker-Tenant': 'blue' };
    const single = await request(`${api.url}/one?x=1`, { method: 'PUT', headers: { ...headers, 'Knocker-Api-Key': KEY }, body: 'hello' });
    const id = `batch-${Date.now()}`;
    const res = await batch([
      { method: 'PUT', url: '/one?x=1', headers, body: 'hello' },
      { url: `http://${t.host}/two`, headers: { 'Knocker-Id': id }, body_base64: Buffer.from([0, 1, 2, 255]).toString('base64') },
      ...Array.from({ length: 18 }, (_, i) => ({ method: 'POST', url: `/many/${i}`, headers: { 'Knocker-Host': t.host, 'Knocker-Scheme': 'http' }, body: `${i}` })),
    ]);
    expect(res.status).toBe(200);
    const { results } = res.json();
    expect(results).toHaveLength(20);
    const { config: c1, ...one } = single.json();
    const { config: c2, ...two } = results[0];
    expect(two).toEqual(one);
    expect({ ...c2, id: 'x' }).toEqual({ ...c1, id: 'x' });
    expect(results[1]).toMatchObject({ status: true, config: { id, host: t.host, scheme: 'http' }, url: `http://${t.host}/two`, method: 'POST', 'body-length': 4 });
    expect(results.slice(2).map((r: { url: string }) => r.url)).toEqual(Array.from({ length: 18 }, (_, i) => `http://${t.host}/many/${i}`));
    await t.waitForRequests(21);
    const binary = t.requests.find((r) => r.url === '/two');
    expect(binary?.body).toEqual(Buffer.from([0, 1, 2, 255]));
    expect(t.requests.filter((r) => r.url === '/one?x=1').map((r) => [r.method, r.headers['x-trace'], r.body.toString()])).toEqual([['PUT', 'abc', 'hello'], ['PUT', 'abc', 'hello']]);

    const again = (await batch([{ url: `http://${t.host}/two`, headers: { 'Knocker-Id': id } }, { url: `http://${t.host}/three` }])).json();
    expect(again.results[0]).toEqual({ status: true, duplicate: true, id, state: expect.stringMatching(/^(waiting|active|delivered)$/) });
    expect(again.results[1]).toMatchObject({ status: true, url: `http://${t.host}/three` });
  });

  it('refuses the whole batch for one bad item, naming it and its field, and stores nothing', async () => {
    const t = await targets.start();
    const id = `never-${Date.now()}`;
    const res = await batch([
      { url: '/a', headers: { 'Knocker-Host': t.host, 'Knocker-Scheme': 'http', 'Knocker-Id': id } },
      { url: '/b', headers: { 'Knocker-Host': t.host, 'Knocker-Scheme': 'http' } },
      { url: '/c', headers: { 'Knocker-Scheme': 'http', 'Knocker-Retries': 'many' } },
    ]);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({
      status: false, code: 'invalid_request',
      errors: { 'items[2].headers.knocker-host': [expect.stringMatching(/required/)], 'items[2].headers.knocker-retries': [expect.any(String)] },
    });
    await sleep(300);
    expect(t.requests).toHaveLength(0);
    expect((await inspect(id)).status).toBe(404);
  });

  it('bounds the batch and takes the api key', async () => {
    const item = { url: 'http://a.example/' };
    expect((await batch(Array.from({ length: 21 }, () => item))).json().errors.body[0]).toMatch(/1 to 20 requests \(BATCH_MAX\)/);
    expect((await batch([])).status).toBe(400);
    expect((await batch([item], null)).status).toBe(401);
    expect((await batch([item], 'wrong-key-0123456789')).status).toBe(401);
    expect((await request(`${api.url}/knocker/batch`, { headers: { 'Knocker-Api-Key': KEY } })).status).toBe(405);
    const dup = await batch([{ url: 'http://a.example/', headers: { 'Knocker-Id': 'same' } }, { url: 'http://b.example/', headers: { 'Knocker-Id': 'same' } }]);
    expect(dup.json().errors).toEqual({ 'items[1].headers.knocker-id': [expect.stringMatching(/repeats the id of item 0/)] });
  });
});
