import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request, sharedRedisUrl, startApi, uniquePrefix, type ApiProcess } from '@knocker/test-kit';

let api: ApiProcess;
beforeAll(async () => {
  api = await startApi({ redisUrl: sharedRedisUrl(), prefix: uniquePrefix('hosts'), env: { HOSTS_ONLY: '["allowed.example"]', STATUS_URL: '/_status' } });
});
afterAll(async () => {
  await api?.kill();
});

describe('HOSTS_ONLY', () => {
  it('accepts a listed host and refuses others with 400 on knocker-host', async () => {
    const ok = await request(`${api.url}/x`, { method: 'POST', headers: { 'Knocker-Host': 'Allowed.example:8080' } });
    expect(ok.status).toBe(200);
    const refused = await request(`${api.url}/x`, { method: 'POST', headers: { 'Knocker-Host': 'other.example' } });
    expect(refused.status).toBe(400);
    expect(refused.json().errors).toEqual({ 'knocker-host': ['is not allowed: this Knocker delivers only to allowed.example (HOSTS_ONLY)'] });
  });

  it('serves the status page at STATUS_URL', async () => {
    const res = await request(`${api.url}/_status`);
    expect(res.json()).toMatchObject({ status: true });
  });

  it('relays other methods on a STATUS_URL outside RESERVED_PREFIX, as Knocker does', async () => {
    const res = await request(`${api.url}/_status`, { method: 'POST', headers: { 'Knocker-Host': 'allowed.example' } });
    expect(res.json()).toMatchObject({ status: true, url: 'http://allowed.example/_status' });
  });
});
