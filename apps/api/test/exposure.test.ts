import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, startApi, startTarget, startWorker, stopAll, uniquePrefix, type ApiProcess, type ChildHandle, type Target,
} from '@knocker/test-kit';

// BLOCK_PRIVATE_NETWORKS unset (auto), the api listening on every address: without api keys
// anyone who reaches it could make Knocker call this host's networks, so they are blocked;
// with keys only their holders relay, and private targets are allowed. Each pair of apps
// reads the same environment, so the workers judge as their api does.
const KEY = 'exposure-key-0123456789';
const open = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('exposure-open'), env: { BIND_ADDRESS: '0.0.0.0' } };
const keyed = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('exposure-keyed'), env: { BIND_ADDRESS: '0.0.0.0', KNOCKER_API_KEYS: KEY } };
let openApi: ApiProcess;
let keyedApi: ApiProcess;
let workers: ChildHandle[];
let target: Target;

beforeAll(async () => {
  target = await startTarget();
  [openApi, keyedApi, ...workers] = await Promise.all([startApi(open), startApi(keyed), startWorker(open), startWorker(keyed)]);
});
afterAll(async () => {
  await stopAll([openApi, keyedApi, ...(workers ?? [])].filter(Boolean));
  await target?.close();
});

const knock = (api: ApiProcess, headers: Array<[string, string]>) =>
  request(`${api.url}/hook`, { method: 'POST', headers: [['Knocker-Host', target.host], ...headers], body: 'x' });

describe('BLOCK_PRIVATE_NETWORKS=auto on every address', () => {
  it('refuses a loopback target and callback without api keys, and both apps say why', async () => {
    const refused = await knock(openApi, []);
    expect(refused.status).toBe(400);
    expect(refused.json().errors['knocker-host'][0]).toMatch(/^is not allowed: 127\.0\.0\.1 is in 127\.0\.0\.0\/8 \(loopback\)/);
    const callback = await request(`${openApi.url}/hook`, {
      method: 'POST', headers: [['Knocker-Host', 'example.com'], ['Knocker-Success-Callback', `${target.url}/answers`]],
    });
    expect(callback.status).toBe(400);
    expect(Object.keys(callback.json().errors)).toEqual(['knocker-success-callback']);
    const line = 'Private networks: blocked (BIND_ADDRESS=0.0.0.0, reachable from other machines, and no KNOCKER_API_KEYS; BLOCK_PRIVATE_NETWORKS=auto). Set KNOCKER_API_KEYS, or BLOCK_PRIVATE_NETWORKS=false to allow them.';
    expect(openApi.output()).toContain(line);
    expect(workers[0]!.output()).toContain(line);
    expect(target.requests).toHaveLength(0);
  });

  it('allows it with api keys, and the workers deliver it', async () => {
    const accepted = await knock(keyedApi, [['Knocker-Api-Key', KEY]]);
    expect(accepted.status).toBe(200);
    await target.waitForRequests(1, 20_000);
    const line = 'Private networks: allowed (relaying needs one of KNOCKER_API_KEYS; BLOCK_PRIVATE_NETWORKS=auto). Set BLOCK_PRIVATE_NETWORKS=true to refuse them.';
    expect(keyedApi.output()).toContain(line);
    expect(workers[1]!.output()).toContain(line);
    expect(keyedApi.output()).not.toContain(KEY);
  });
});
