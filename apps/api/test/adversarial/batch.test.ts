// Hostile batches: each is refused with a 4xx naming what is wrong, nothing of it is stored,
// and the api answers the next caller as before.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request, sharedRedisUrl, startApi, uniquePrefix, type ApiProcess } from '@knocker/test-kit';

const ADMIN = 'batch-adv-admin-key-0123456789';
let api: ApiProcess;

beforeAll(async () => {
  api = await startApi({ redisUrl: sharedRedisUrl(), prefix: uniquePrefix('adv-batch'), env: { ADMIN_API_KEY: ADMIN, BATCH_MAX_BYTES: String(2 * 1024 * 1024) } });
});
afterAll(async () => {
  await api?.kill('SIGKILL');
});

const post = (body: string | Buffer) => request(`${api.url}/knocker/batch`, { method: 'POST', body });
const ok = { url: 'http://a.example/x', headers: { 'Knocker-Id': 'adv-batch-ok' } };
const stored = async (id: string) => (await request(`${api.url}/knocker/requests/${id}`, { headers: { 'Knocker-Admin-Key': ADMIN } })).status === 200;

async function refused(body: string | Buffer, status: number, field: string | RegExp): Promise<void> {
  const res = await post(body);
  expect(res.status).toBe(status);
  const names = Object.keys(res.json().errors);
  expect(names.some((n) => (typeof field === 'string' ? n === field : field.test(n)))).toBe(true);
}

describe('hostile batches', () => {
  it('refuses huge arrays, by count and by bytes', async () => {
    await refused(JSON.stringify(Array.from({ length: 101 }, () => ({ url: '/' }))), 400, 'body');
    await refused(`[${'1,'.repeat(600_000)}1]`, 400, 'body');
    await refused(Buffer.alloc(3 * 1024 * 1024, 0x20), 413, 'body');
  });

  it('refuses deep JSON, at the top and inside an item, without a stack overflow', async () => {
    await refused('['.repeat(500_000) + ']'.repeat(500_000), 400, /^items\[0\]/);
    await refused(`[{"url":"http://a.example/x","body":${'['.repeat(100_000)}${']'.repeat(100_000)}}]`, 400, 'items[0].body');
    await refused('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000), 400, 'body');
  });

  it('refuses wrong types, naming the item and field', async () => {
    const cases: Array<[unknown, string]> = [
      [['text'], 'items[0]'], [[null], 'items[0]'], [[ok, { url: 5 }], 'items[1].url'], [[{ ...ok, method: 'get' }], 'items[0].method'],
      [[{ ...ok, headers: [['Knocker-Host', 'a.example']] }], 'items[0].headers'], [[{ ...ok, headers: { 'X-N': 5 } }], 'items[0].headers.X-N'],
      [[{ ...ok, headers: { 'bad name': 'x' } }], 'items[0].headers'], [[{ ...ok, body: { a: 1 } }], 'items[0].body'],
      [[{ ...ok, body: 'x', body_base64: 'eA==' }], 'items[0].body'], [[{ ...ok, body_base64: 'not base64!' }], 'items[0].body_base64'],
      [[{ ...ok, colour: 'red' }], 'items[0].colour'], [[{ url: 'ftp://a.example/' }], 'items[0].url'], [[{ url: '' }], 'items[0].url'],
      [{ url: '/' }, 'body'], ['"[]"', 'body'],
    ];
    for (const [body, field] of cases) await refused(typeof body === 'string' ? body : JSON.stringify(body), 400, field);
  });

  it('refuses items with oversized or forbidden headers', async () => {
    await refused(JSON.stringify([ok, { ...ok, headers: { 'X-Big': 'x'.repeat(17 * 1024) } }]), 400, 'items[1].headers');
    const many = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`x-h${i}`, 'v']));
    await refused(JSON.stringify([{ ...ok, headers: many }]), 400, 'items[0].headers');
    await refused(JSON.stringify([{ ...ok, headers: { 'X-Split': 'a\r\nInjected: yes' } }]), 400, 'items[0].headers.X-Split');
    await refused(JSON.stringify([{ ...ok, headers: { 'x-knocker': '1' } }]), 400, 'items[0].headers.x-knocker');
    await refused(JSON.stringify([{ ...ok, headers: { 'Knocker-Cron': '* * * * *' } }]), 400, 'items[0].headers.knocker-cron');
    await refused(JSON.stringify([ok, { ...ok, headers: { 'Knocker-Group': 'team' } }]), 400, 'items[1].headers.knocker-group');
    await refused(JSON.stringify([{ url: '/no-host' }]), 400, 'items[0].headers.knocker-host');
    await refused(JSON.stringify([{ ...ok, body: 'x'.repeat(1024 * 1024 + 1) }]), 400, 'items[0].body');
  });

  it('stored nothing of any of them, and still serves a good batch', async () => {
    expect(await stored('adv-batch-ok')).toBe(false);
    const res = await post(JSON.stringify([ok]));
    expect(res.status).toBe(200);
    expect(await stored('adv-batch-ok')).toBe(true);
  });
});
