// Callers that forge Knocker's own marks or reach what they should not: a forged
// X-Knocker-Origin, a loopback target through an api open to the network without keys, and
// the log route without the api key.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  describeAttack, lostOf, request, sharedRedisUrl, startApi, startArena, startTarget, stopAll, uniquePrefix, type ChildHandle, type Target,
} from '@knocker/test-kit';

const KEY = 'callers-api-key-0123456789';
const ADMIN = 'callers-admin-key-0123456789';
const children: ChildHandle[] = [];
let target: Target;

beforeAll(async () => {
  target = await startTarget();
});
afterAll(async () => {
  await stopAll(children, 'SIGKILL');
  await target?.close();
});

async function api(env: Record<string, string>, prefix = uniquePrefix('adv-callers')) {
  const started = await startApi({ redisUrl: sharedRedisUrl(), prefix, env });
  children.push(started);
  return started;
}

describe('a forged X-Knocker-Origin', () => {
  it('never reaches the target, while the worker stays healthy and delivers', async () => {
    const arena = await startArena({ name: 'adv-origin' });
    try {
      const attack = arena.attack();
      const send = (id: string, extra: Array<[string, string]>) => request(`${arena.api.url}/hook`, {
        method: 'POST', body: '{}', headers: [['Knocker-Host', target.host], ['Knocker-Id', id], ['Knocker-Callback', `${arena.callbacks.url}/failed`], ...extra],
      });
      const forged = await Promise.all([
        send('forged-1', [['X-Knocker-Origin', 'knocker']]),
        send('forged-2', [['x-knocker-origin', 'Knocker'], ['X-KNOCKER-ORIGIN', 'knocker']]),
      ]);
      // Refused (4xx) or accepted; an accepted one is delivered without the mark.
      expect(forged.map((r) => r.status === 200 || (r.status >= 400 && r.status < 500))).toEqual([true, true]);
      const accepted = ['forged-1', 'forged-2'].filter((_, i) => forged[i]!.status === 200);
      const outcomes = await arena.settle(accepted, 20_000);
      const report = await attack.end();
      console.log(describeAttack('forged X-Knocker-Origin', report));
      expect([...report.violations, ...lostOf(outcomes)]).toEqual([]);
      expect(target.requests.filter((r) => r.headers['x-knocker-origin'] !== undefined).map((r) => r.headers['x-knocker-id'])).toEqual([]);
    } finally {
      await arena.close();
    }
  }, 90_000);
});

describe('an api listening beyond loopback', () => {
  it('without KNOCKER_API_KEYS refuses a loopback Knocker-Host (BLOCK_PRIVATE_NETWORKS auto)', async () => {
    // Bound to every interface, but spoken to over loopback only.
    const open = await api({ BIND_ADDRESS: '0.0.0.0' });
    const res = await request(`${open.url}/hook`, { method: 'POST', body: '{}', headers: [['Knocker-Host', target.host]] });
    expect({ status: res.status, fields: Object.keys(res.json().errors ?? {}) }).toEqual({ status: 400, fields: ['knocker-host'] });
  }, 60_000);

  it('with KNOCKER_API_KEYS accepts it (auto blocks only an open api)', async () => {
    const keyed = await api({ BIND_ADDRESS: '0.0.0.0', KNOCKER_API_KEYS: KEY });
    const res = await request(`${keyed.url}/hook`, { method: 'POST', body: '{}', headers: [['Knocker-Host', target.host], ['Knocker-Api-Key', KEY], ['Knocker-Delay', '1h']] });
    expect(res.status).toBe(200);
  }, 60_000);
});

describe('the log route with KNOCKER_API_KEYS set', () => {
  it('answers 401 without a key and stores no line', async () => {
    const keyed = await api({ KNOCKER_API_KEYS: KEY, ADMIN_API_KEY: ADMIN });
    const id = `log-${Date.now()}`;
    const stored = await request(`${keyed.url}/hook`, {
      method: 'POST', body: '{}', headers: [['Knocker-Host', 'target.example'], ['Knocker-Api-Key', KEY], ['Knocker-Id', id], ['Knocker-Delay', '1h']],
    });
    expect(stored.status).toBe(200);
    const line = await request(`${keyed.url}/knocker/log?id=${id}`, { method: 'POST', body: 'forged log line' });
    expect(line.status).toBe(401);
    const view = await request(`${keyed.url}/knocker/requests/${id}`, { headers: { 'Knocker-Admin-Key': ADMIN } });
    expect(view.json().logs).toEqual([]);
  }, 60_000);
});
