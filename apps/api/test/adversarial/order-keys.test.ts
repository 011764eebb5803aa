// Callers that abuse Knocker-Order-Key: keys that are not keys, one header twice, the admin
// view without its key, and very many keys, whose gauges must stay a bounded label set.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request, sharedRedisUrl, startApi, startWorker, uniquePrefix, waitFor, type ApiProcess, type KnockerProcess } from '@knocker/test-kit';

const ADMIN = 'order-keys-admin-key-0123456789';
let api: ApiProcess;
let worker: KnockerProcess;

beforeAll(async () => {
  const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('adv-order'), env: { ADMIN_API_KEY: ADMIN } };
  [api, worker] = await Promise.all([startApi(opts), startWorker(opts)]);
});
afterAll(async () => {
  await Promise.all([api?.kill('SIGKILL'), worker?.kill('SIGKILL')]);
});

const send = (headers: Array<[string, string]>) => request(`${api.url}/hook`, { method: 'POST', body: '{}', headers: [['Knocker-Host', 'target.example'], ...headers] });
const view = (key: string, headers: Record<string, string> = { 'Knocker-Admin-Key': ADMIN }) => request(`${api.url}/knocker/order-keys/${key}`, { headers });

describe('Knocker-Order-Key from hostile callers', () => {
  it.each([
    ['empty', ''], ['a space', 'a b'], ['a colon (a Redis key separator)', 'a:b'], ['a brace (a hash tag)', '{knocker}'],
    ['129 characters', 'k'.repeat(129)], ['a quote', 'a"b'], ['a Lua pattern', '%a+'], ['non-ASCII', 'clé'], ['a leading dash', '-k'],
  ])('refuses a key with %s with 400 naming knocker-order-key, and stores nothing', async (what, key) => {
    const id = `bad-order-${what.length}-${key.length}`;
    const res = await send([['Knocker-Order-Key', key], ['Knocker-Delay', '1h'], ['Knocker-Id', id]]);
    expect({ status: res.status, fields: Object.keys(res.json().errors ?? {}) }).toEqual({ status: 400, fields: ['knocker-order-key'] });
    expect((await request(`${api.url}/knocker/requests/${id}`, { headers: { 'Knocker-Admin-Key': ADMIN } })).status).toBe(404);
  });

  it('refuses the header given twice, and the admin view of a bad key, without the admin key, and with another method', async () => {
    const twice = await send([['Knocker-Order-Key', 'a'], ['Knocker-Order-Key', 'b']]);
    expect({ status: twice.status, errors: twice.json().errors }).toEqual({ status: 400, errors: { 'knocker-order-key': ['must be given once'] } });
    const bad = await view('a%3Ab');
    expect({ status: bad.status, fields: Object.keys(bad.json().errors ?? {}) }).toEqual({ status: 400, fields: ['key'] });
    expect((await view('some-key', {})).status).toBe(401);
    expect((await request(`${api.url}/knocker/order-keys/some-key`, { method: 'DELETE', headers: { 'Knocker-Admin-Key': ADMIN } })).status).toBe(405);
    expect((await view('never-used')).json()).toEqual({ status: true, key: 'never-used', head: null, waiting: 0 });
  });

  it('takes 300 keys at once and shows the gauges of the 10 busiest only', async () => {
    const keys = Array.from({ length: 300 }, (_, i) => `tenant-${i}`);
    // Each line a delayed head and i % 7 behind it: busiest are those with 6.
    // Twenty callers at a time, each sending one key's requests in turn: within the api's capacity.
    const refused: number[] = [];
    for (let i = 0; i < keys.length; i += 20) {
      await Promise.all(keys.slice(i, i + 20).map(async (key, j) => {
        for (let n = 0; n <= (i + j) % 7; n += 1) {
          const res = await send([['Knocker-Order-Key', key], ['Knocker-Delay', '1h']]);
          if (res.status !== 200) refused.push(res.status);
        }
      }));
    }
    expect(refused).toEqual([]);
    expect((await view('tenant-6')).json()).toMatchObject({ head: { state: 'delayed' }, waiting: 6 });
    const metrics = await waitFor(async () => {
      const text = (await request(`${worker.url}/metrics`)).text;
      return /^knocker_order_keys 300$/m.test(text) ? text : undefined;
    }, { timeoutMs: 20_000, what: 'the order gauges' });
    const series = metrics.split('\n').filter((l) => l.startsWith('knocker_order_waiting{'));
    expect(series).toHaveLength(10);
    expect(series.every((l) => l.endsWith(' 6'))).toBe(true);
  }, 60_000);
});
