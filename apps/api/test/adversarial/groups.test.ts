// Hostile group definitions and group requests: every one is a 4xx naming its field (or a 413),
// nothing half-stored, and the bounds (GROUPS_MAX, GROUP_ENDPOINTS_MAX, the body) hold.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GROUP_BODY_MAX_BYTES, GROUP_ENDPOINTS_MAX, GROUPS_MAX } from '@knocker/contract';
import { request, sharedRedisUrl, startApi, uniquePrefix, type ApiProcess } from '@knocker/test-kit';

const ADMIN = 'groups-admin-key-0123456789';
let api: ApiProcess;

beforeAll(async () => {
  api = await startApi({
    redisUrl: sharedRedisUrl(), prefix: uniquePrefix('adv-groups'),
    env: { ADMIN_API_KEY: ADMIN, BLOCK_PRIVATE_NETWORKS: 'true', ALLOWED_NETWORKS: '127.0.0.0/8' },
  });
});
afterAll(async () => {
  await api?.kill('SIGKILL');
});

const put = (path: string, body: string) => request(`${api.url}/knocker/groups/${path}`, { method: 'PUT', body, headers: { 'Knocker-Admin-Key': ADMIN } });
const define = (name: string, endpoints: unknown) => put(name, JSON.stringify({ endpoints }));
const fields = async (reply: Promise<{ status: number; json(): { errors?: Record<string, unknown> } }>) => {
  const r = await reply;
  return { status: r.status, fields: Object.keys(r.json().errors ?? {}) };
};
const endpoints = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `e${i}`, url: `http://127.0.0.1:${9000 + i}` }));

describe('group definitions', () => {
  it('refuses a list over GROUP_ENDPOINTS_MAX, and a body over its bound, before reading the items', async () => {
    expect(await fields(define('big', endpoints(GROUP_ENDPOINTS_MAX + 1)))).toEqual({ status: 400, fields: ['endpoints'] });
    const huge = await define('huge', endpoints(20_000));
    expect(huge.status).toBe(413);
    expect(huge.json().errors.body).toEqual([`must be at most ${GROUP_BODY_MAX_BYTES} bytes`]);
    expect((await request(`${api.url}/knocker/groups/big`, { headers: { 'Knocker-Admin-Key': ADMIN } })).status).toBe(404);
  });

  it.each([
    ['a name of 65 characters', 'g'.repeat(65)],
    ['a name of 10,000 characters', 'g'.repeat(10_000)],
    ['a name with a dot first', '.hidden'],
    ['a name with an encoded slash', '..%2F..%2Fetc'],
    ['a name with a space', 'a%20b'],
  ])('refuses %s with 400 naming the name', async (_what, name) => {
    expect(await fields(define(name, endpoints(1)))).toEqual({ status: 400, fields: ['name'] });
  });

  it.each([
    ['javascript:', 'javascript:alert(1)'],
    ['a file url', 'file:///etc/passwd'],
    ['no host', 'http://'],
    ['no scheme', '127.0.0.1:9000'],
    ['a query', 'http://127.0.0.1:9000/x?token=1'],
    ['a fragment', 'http://127.0.0.1:9000/#x'],
    ['credentials', 'http://user:secret@127.0.0.1:9000'],
    ['a port out of range', 'http://127.0.0.1:99999'],
    ['a space', 'http://127.0.0.1:9000/a b'],
    ['a private address', 'http://10.1.2.3/in'],
    ['a private address written in hex', 'http://0x0a.1.2.3'],
    ['a link-local address', 'http://[fe80::1]/'],
    ['a url of 513 characters', `http://127.0.0.1:9000/${'x'.repeat(491)}`],
    ['a number', 42],
    ['null', null],
  ])('refuses an endpoint url with %s, naming the item', async (_what, url) => {
    expect(await fields(define('bad-url', [{ name: 'ok', url: 'http://127.0.0.1:9000' }, { name: 'bad', url }]))).toEqual({ status: 400, fields: ['endpoints[1].url'] });
  });

  it.each([
    ['not JSON', '{"endpoints": ['],
    ['an array', '[]'],
    ['null', 'null'],
    ['no endpoints', '{}'],
    ['endpoints not a list', '{"endpoints": {"a": "http://127.0.0.1:9000"}}'],
  ])('refuses a body that is %s, naming it', async (_what, body) => {
    const { status, fields: named } = await fields(put('shape', body));
    expect(status).toBe(400);
    expect(named.filter((f) => f !== 'body' && f !== 'endpoints')).toEqual([]);
  });

  it('names each bad item: a missing, long or repeated name, an unknown field', async () => {
    const reply = await define('items', [
      { url: 'http://127.0.0.1:9000' }, { name: 'n'.repeat(33), url: 'http://127.0.0.1:9000' }, { name: 'a', url: 'http://127.0.0.1:9000' },
      { name: 'a', url: 'http://127.0.0.1:9001' }, { name: 'b', url: 'http://127.0.0.1:9002', secret: 'x' }, 'not an object', { name: 'c~~d', url: 'http://127.0.0.1:9000' },
    ]);
    expect(reply.status).toBe(400);
    expect(Object.keys(reply.json().errors).sort()).toEqual(['endpoints[0].name', 'endpoints[1].name', 'endpoints[3].name', 'endpoints[4].secret', 'endpoints[5]', 'endpoints[6].name']);
  });

  it('holds GROUP_ENDPOINTS_MAX when endpoints are added one by one, and GROUPS_MAX', async () => {
    const one = (group: string, name: string) => put(`${group}/endpoints/${name}`, JSON.stringify({ url: 'http://127.0.0.1:9000' }));
    for (let i = 0; i < GROUP_ENDPOINTS_MAX; i++) expect((await one('grows', `e${i}`)).status).toBe(200);
    const over = await one('grows', 'one-more');
    expect({ status: over.status, code: over.json().code, fields: Object.keys(over.json().errors) }).toEqual({ status: 409, code: 'groups_full', fields: ['endpoint'] });

    const existing = (await request(`${api.url}/knocker/groups`, { headers: { 'Knocker-Admin-Key': ADMIN } })).json().groups.length;
    for (let i = existing; i < GROUPS_MAX; i++) expect((await define(`many-${i}`, endpoints(1))).status).toBe(200);
    const full = await define('one-too-many', endpoints(1));
    expect({ status: full.status, code: full.json().code }).toEqual({ status: 409, code: 'groups_full' });
    // Replacing one at the bound is not adding one.
    expect((await define('grows', endpoints(2))).status).toBe(200);
    for (let i = existing; i < GROUPS_MAX; i++) {
      expect((await request(`${api.url}/knocker/groups/many-${i}`, { method: 'DELETE', headers: { 'Knocker-Admin-Key': ADMIN } })).status).toBe(200);
    }
  });
});

describe('group requests', () => {
  const send = (headers: Array<[string, string]>) => request(`${api.url}/hook`, { method: 'POST', body: '{}', headers });

  it('fans a request out to the most endpoints a group holds, in one answer', async () => {
    expect((await define('widest', endpoints(GROUP_ENDPOINTS_MAX))).status).toBe(200);
    const reply = await send([['Knocker-Group', 'widest'], ['Knocker-Delay', '1h']]);
    expect(reply.status).toBe(200);
    expect(reply.json().requests).toHaveLength(GROUP_ENDPOINTS_MAX);
  });

  it.each([
    ['a group name of 8 KB', [['Knocker-Group', 'g'.repeat(8000)]]],
    ['the header twice', [['Knocker-Group', 'widest'], ['Knocker-Group', 'widest']]],
    ['a copy id as Knocker-Id', [['Knocker-Group', 'widest'], ['Knocker-Id', 'x~~e1']]],
  ])('refuses %s with 400 naming the header', async (_what, headers) => {
    const reply = await send(headers as Array<[string, string]>);
    expect(reply.status).toBe(400);
    expect(Object.keys(reply.json().errors).every((f) => f.startsWith('knocker-'))).toBe(true);
  });
});
