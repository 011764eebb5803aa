import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, sleep, startApi, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type ApiProcess, type ChildHandle, type Target,
} from '@knocker/test-kit';

// Fan-out groups end to end: an api and a worker on three shards, three loopback targets.
const ADMIN_KEY = 'admin-key-for-groups-0123456789';
const opts = {
  redisUrl: sharedRedisUrl(), prefix: uniquePrefix('groups'),
  env: { ADMIN_API_KEY: ADMIN_KEY, QUEUE_SHARDS: '3', BLOCK_PRIVATE_NETWORKS: 'true', ALLOWED_NETWORKS: '127.0.0.0/8' },
};
let api: ApiProcess;
let strict: ApiProcess;
let worker: ChildHandle;
let up: Target[];
let down: Target;

beforeAll(async () => {
  up = await Promise.all([startTarget(), startTarget()]);
  down = await startTarget(() => ({ status: 503, body: 'down for maintenance' }));
  [api, strict, worker] = await Promise.all([
    startApi(opts),
    startApi({ ...opts, prefix: uniquePrefix('groups-strict'), env: { ...opts.env, HOSTS_ONLY: 'allowed.example' } }),
    startWorker(opts),
  ]);
});

afterAll(async () => {
  await stopAll([api, strict, worker].filter(Boolean));
  await Promise.all([...(up ?? []), down].filter(Boolean).map((t) => t.close()));
});

const admin = (method: string, path: string, body?: unknown, on: ApiProcess = api) => request(`${on.url}/knocker/groups${path}`, {
  method, headers: { 'Knocker-Admin-Key': ADMIN_KEY, 'Content-Type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});
const send = (headers: Record<string, string>, path = '/orders/7?x=1') =>
  request(`${api.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'text/plain', ...headers }, body: 'order 7' });
const seen = (t: Target, id: string) => t.requests.filter((r) => r.headers['x-knocker-id'] === id);

describe('fan-out groups', () => {
  it('stores one copy per endpoint: the others delivered at once, the one down retried on its own', async () => {
    const put = await admin('PUT', '/orders', { endpoints: [
      { name: 'a', url: `http://${up[0]!.host}` },
      { name: 'b', url: `http://${up[1]!.host}/hooks/` },
      { name: 'broken', url: `http://${down.host}/in` },
    ] });
    expect(put.status).toBe(200);
    expect(put.json().group.endpoints.map((e: { url: string }) => e.url)).toEqual([`http://${up[0]!.host}`, `http://${up[1]!.host}/hooks`, `http://${down.host}/in`]);

    const sent = Date.now();
    const answer = await send({ 'Knocker-Group': 'orders', 'Knocker-Retries': '3', 'Knocker-Backoff-Factor': '0.5', 'Knocker-Id': 'fan-1' });
    expect(answer.status).toBe(200);
    expect(answer.json()).toMatchObject({ status: true, id: 'fan-1', group: 'orders', requests: [
      { id: 'fan-1~~a', url: `http://${up[0]!.host}/orders/7?x=1` },
      { id: 'fan-1~~b', url: `http://${up[1]!.host}/hooks/orders/7?x=1` },
      { id: 'fan-1~~broken', url: `http://${down.host}/in/orders/7?x=1` },
    ] });

    await waitFor(() => seen(up[0]!, 'fan-1~~a').length === 1 && seen(up[1]!, 'fan-1~~b').length === 1, { what: 'the two endpoints that are up' });
    // Promptly: the failing endpoint's retries (0.5 s and more apart) hold nobody back.
    expect(Date.now() - sent).toBeLessThan(3000);
    expect(seen(up[1]!, 'fan-1~~b')[0]).toMatchObject({ method: 'POST', url: '/hooks/orders/7?x=1' });
    expect(seen(up[1]!, 'fan-1~~b')[0]!.body.toString()).toBe('order 7');

    await waitFor(() => seen(down, 'fan-1~~broken').length >= 2, { what: 'a retry of the endpoint that is down', timeoutMs: 15_000 });
    const inspect = (id: string) => request(`${api.url}/knocker/requests/${id}`, { headers: { 'Knocker-Admin-Key': ADMIN_KEY } }).then((r) => r.json());
    expect(await inspect('fan-1~~a')).toMatchObject({ state: 'delivered', group: 'orders', url: `http://${up[0]!.host}/orders/7?x=1` });
    expect((await inspect('fan-1~~broken')).state).toMatch(/^(waiting|delayed|active)$/);
    expect(seen(up[0]!, 'fan-1~~a')).toHaveLength(1);
  });

  it('answers a Knocker-Id sent again for the whole group, storing nothing more', async () => {
    await admin('PUT', '/twice', { endpoints: [{ name: 'a', url: `http://${up[0]!.host}` }, { name: 'b', url: `http://${up[1]!.host}` }] });
    expect((await send({ 'Knocker-Group': 'twice', 'Knocker-Id': 'dup-1' })).json()).not.toHaveProperty('duplicate');
    const again = await send({ 'Knocker-Group': 'twice', 'Knocker-Id': 'dup-1' });
    expect(again.status).toBe(200);
    expect(again.json()).toEqual({
      status: true, duplicate: true, id: 'dup-1', group: 'twice', requests: [
        { id: 'dup-1~~a', state: expect.stringMatching(/^(waiting|active|delivered)$/) },
        { id: 'dup-1~~b', state: expect.stringMatching(/^(waiting|active|delivered)$/) },
      ],
    });
    await waitFor(() => seen(up[0]!, 'dup-1~~a').length === 1 && seen(up[1]!, 'dup-1~~b').length === 1, { what: 'the deliveries' });
    await sleep(500);
    expect([seen(up[0]!, 'dup-1~~a').length, seen(up[1]!, 'dup-1~~b').length]).toEqual([1, 1]);
  });

  it('refuses an unknown or empty group, and Knocker-Group with Knocker-Host, naming the header', async () => {
    const unknown = await send({ 'Knocker-Group': 'nobody' });
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toEqual({ status: false, code: 'not_found', errors: { 'knocker-group': ['no group "nobody" is known'] } });

    await admin('PUT', '/emptied/endpoints/only', { url: `http://${up[0]!.host}` });
    expect((await admin('DELETE', '/emptied/endpoints/only')).json().group.endpoints).toEqual([]);
    const empty = await send({ 'Knocker-Group': 'emptied' });
    expect(empty.status).toBe(409);
    expect(empty.json()).toMatchObject({ code: 'group_empty', errors: { 'knocker-group': [expect.stringContaining('no endpoints')] } });

    const both = await send({ 'Knocker-Group': 'orders', 'Knocker-Host': up[0]!.host });
    expect(both.status).toBe(400);
    expect(both.json().errors['knocker-group']).toEqual([expect.stringContaining('cannot be combined with Knocker-Host')]);
    expect((await send({ 'Knocker-Group': '' })).json().errors).toHaveProperty('knocker-group');
  });

  it('judges endpoints when they are stored: the address policy and HOSTS_ONLY', async () => {
    const privateNet = await admin('PUT', '/private', { endpoints: [{ name: 'ok', url: `http://${up[0]!.host}` }, { name: 'lan', url: 'http://10.0.0.5:8080/hooks' }] });
    expect(privateNet.status).toBe(400);
    expect(privateNet.json().errors).toEqual({ 'endpoints[1].url': [expect.stringMatching(/10\.0\.0\.0\/8 \(private\).*BLOCK_PRIVATE_NETWORKS/)] });
    expect((await admin('GET', '/private')).status).toBe(404);

    const single = await admin('PUT', '/private/endpoints/lan', { url: 'http://[fd00::1]/x' });
    expect(single.status).toBe(400);
    expect(single.json().errors).toHaveProperty('url');

    const elsewhere = await admin('PUT', '/strict', { endpoints: [{ name: 'x', url: 'https://other.example' }] }, strict);
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.json().errors['endpoints[0].url']).toEqual([expect.stringContaining('HOSTS_ONLY')]);
    expect((await admin('PUT', '/strict', { endpoints: [{ name: 'x', url: 'https://allowed.example/in' }] }, strict)).status).toBe(200);
  });

  it('lists, reads, changes one endpoint, and deletes, behind the admin key', async () => {
    await admin('PUT', '/crud', { endpoints: [{ name: 'a', url: `http://${up[0]!.host}` }] });
    expect((await admin('PUT', '/crud/endpoints/b', { url: `http://${up[1]!.host}/b` })).json().group.endpoints).toEqual([
      { name: 'a', url: `http://${up[0]!.host}` }, { name: 'b', url: `http://${up[1]!.host}/b` },
    ]);
    expect((await admin('PUT', '/crud/endpoints/a', { url: `http://${up[1]!.host}` })).json()).toMatchObject({ replaced: true });
    expect((await admin('GET', '')).json().groups.map((g: { name: string }) => g.name)).toEqual(expect.arrayContaining(['crud', 'orders', 'twice']));
    expect((await admin('GET', '/crud')).json().group).toMatchObject({ name: 'crud', endpoints: [{ name: 'a' }, { name: 'b' }], created_at: expect.any(String) });
    expect((await admin('DELETE', '/crud/endpoints/zz')).json()).toMatchObject({ code: 'not_found', errors: { endpoint: [expect.any(String)] } });
    expect((await admin('DELETE', '/crud')).json()).toEqual({ status: true, name: 'crud', state: 'deleted' });
    expect((await admin('DELETE', '/crud')).status).toBe(404);
    expect((await request(`${api.url}/knocker/groups`)).status).toBe(401);
    expect((await admin('POST', '/crud')).status).toBe(405);
  });
});
