import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request, startApi, startRedis, startWorker, stopAll, uniquePrefix, waitFor, type KnockerProcess, type RedisServer } from '@knocker/test-kit';

// Our own Redis, so the redis check can be made to fail.
const prefix = uniquePrefix('health');
const env = { HEALTH_DETAILED: 'true', HEALTH_API_KEY: 'hc-key', HEALTH_TIMEOUT_MS: '500' };
let redis: RedisServer;
let api: KnockerProcess;
const children: KnockerProcess[] = [];

beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
  api = await startApi({ redisUrl: redis.url, prefix, env });
  children.push(api);
});
afterAll(async () => {
  await stopAll(children);
  await redis?.stop();
});

const hc = async (base: string, path = '', key = 'hc-key') => {
  const res = await request(`${base}/hc${path}?api-key=${key}`);
  return { status: res.status, body: res.json() };
};

describe('api health', () => {
  it('reports the workers check unhealthy until a worker connects', async () => {
    const before = await hc(api.url);
    expect(before.status).toBe(503);
    expect(before.body.checks.map((c: { path: string }) => c.path)).toEqual(['_self', 'redis', 'workers']);
    expect(before.body.reason).toBe('workers: no worker is connected to the delivery queue');
    expect((await hc(api.url, '/redis')).status).toBe(200);

    const worker = await startWorker({ redisUrl: redis.url, prefix, env });
    children.push(worker);
    const after = await waitFor(async () => {
      const r = await hc(api.url);
      return r.status === 200 && r;
    }, { what: 'a healthy api', timeoutMs: 20_000 });
    expect(after.body).toMatchObject({ code: '200', reason: '' });
    expect(after.body.checks[2]).toMatchObject({ path: 'workers', isHealthy: true, message: '1 worker connection' });

    const workerHealth = await waitFor(async () => {
      const r = await request(`${worker.url}/hc?api-key=hc-key`);
      return r.status === 200 && r;
    }, { what: 'a healthy worker', timeoutMs: 20_000 });
    expect(workerHealth.json().checks.map((c: { path: string }) => c.path)).toEqual(['_self', 'redis', 'deliveries']);
  });

  it('needs the api key', async () => {
    expect((await request(`${api.url}/hc`)).status).toBe(401);
    expect((await hc(api.url, '', 'nope')).status).toBe(401);
  });

  it('fails the redis check, on api and worker, while Redis is down', async () => {
    await redis.kill('SIGKILL');
    try {
      const down = await hc(api.url, '/redis');
      expect(down.status).toBe(503);
      expect(down.body.checks[0]).toMatchObject({ path: 'redis', isHealthy: false });
      const worker = children[1] as KnockerProcess;
      const wdown = await request(`${worker.url}/hc/redis?api-key=hc-key`);
      expect(wdown.status).toBe(503);
    } finally {
      await redis.restart();
    }
    await waitFor(async () => (await hc(api.url)).status === 200, { what: 'health after Redis returned' });
  });

  it('relays non-GET requests under the health path', async () => {
    const res = await request(`${api.url}/hc/hook`, { method: 'POST', headers: { 'Knocker-Host': 'target.example' } });
    expect(res.json()).toMatchObject({ status: true, url: 'http://target.example/hc/hook' });
  });
});
