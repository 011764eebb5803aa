// Callers that use Knocker-Id as a probe: a second request with a known id must learn nothing
// of what the first caller sent, and ids shaped like Knocker's own job ids are refused.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request, sharedRedisUrl, startApi, uniquePrefix, type ApiProcess } from '@knocker/test-kit';

const ADMIN = 'ids-admin-key-0123456789';
let api: ApiProcess;

beforeAll(async () => {
  api = await startApi({ redisUrl: sharedRedisUrl(), prefix: uniquePrefix('adv-ids'), env: { ADMIN_API_KEY: ADMIN } });
});
afterAll(async () => {
  await api?.kill('SIGKILL');
});

const inspect = (id: string) => request(`${api.url}/knocker/requests/${encodeURIComponent(id)}`, { headers: { 'Knocker-Admin-Key': ADMIN } });

describe('a duplicate id as a probe', () => {
  it('answers the second caller with the state only: none of the first caller\'s config, url, headers or body', async () => {
    const id = `probe-${Date.now()}`;
    const secrets = ['first-secret-path', 'first-secret-query', 'first-secret-host.example', 'first-secret-callback', 'first-secret-token', 'first-secret-header', 'first-secret-config', 'first-secret-body'];
    // Delayed, so it is still stored, undelivered, when the probe comes.
    const first = await request(`${api.url}/first-secret-path?q=first-secret-query`, {
      method: 'POST', body: 'first-secret-body',
      headers: [
        ['Knocker-Host', 'first-secret-host.example'], ['Knocker-Id', id], ['Knocker-Delay', '1h'],
        ['Knocker-Callback', 'https://hooks.example/first-secret-callback'], ['Knocker-Tenant', 'first-secret-config'],
        ['Authorization', 'Bearer first-secret-token'], ['X-Custom', 'first-secret-header'],
      ],
    });
    expect(first.status).toBe(200);

    const probe = await request(`${api.url}/probe`, { method: 'POST', body: 'probe', headers: [['Knocker-Host', 'prober.example'], ['Knocker-Id', id]] });
    expect(probe.status).toBe(200);
    expect(probe.json()).toEqual({ status: true, duplicate: true, id, state: expect.any(String) });
    expect(secrets.filter((s) => probe.text.includes(s) || probe.rawHeaders.join('\n').includes(s))).toEqual([]);
  });
});

describe("ids shaped like Knocker's own", () => {
  it.each([
    ['a failure callback id', 'cb-order-42'],
    ['a success callback id', 'ok-order-42'],
    ['a schedule tick id', 'nightly@1767225600000'],
    ['the id of a group request\'s copy', 'order-42~~billing'],
  ])('refuses %s (%s) with 400 naming knocker-id, and stores nothing', async (_what, id) => {
    const res = await request(`${api.url}/hook`, { method: 'POST', body: '{}', headers: [['Knocker-Host', 'target.example'], ['Knocker-Id', id], ['Knocker-Delay', '1h']] });
    expect({ status: res.status, fields: Object.keys(res.json().errors ?? {}) }).toEqual({ status: 400, fields: ['knocker-id'] });
    // Not found, or an id the route refuses as well: either way nothing by that id is stored.
    expect([400, 404]).toContain((await inspect(id)).status);
  });
});
