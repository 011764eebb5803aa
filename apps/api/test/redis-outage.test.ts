import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request, startApi, startRedis, uniquePrefix, waitFor, type ApiProcess, type RedisServer } from '@knocker/test-kit';

// A Redis of our own, so it can be killed, paused and restarted.
let redis: RedisServer;
let api: ApiProcess;

beforeAll(async () => {
  redis = await startRedis({ appendonly: true, appendfsync: 'always' });
  api = await startApi({ redisUrl: redis.url, prefix: uniquePrefix('outage'), env: { REDIS_TIMEOUT_MS: '1000' } });
});

afterAll(async () => {
  await api?.kill();
  await redis?.stop();
});

const knock = () => request(`${api.url}/x`, { method: 'POST', headers: { 'Knocker-Host': 'target.example' }, timeoutMs: 5000 });

describe('when Redis is unreachable', () => {
  it('answers 503 within 2 s while Redis is down, and accepts again once it is back, without a restart', async () => {
    expect((await knock()).status).toBe(200);
    await redis.kill('SIGKILL');

    const down = await knock();
    expect(down.status).toBe(503);
    expect(down.ms).toBeLessThan(2000);
    expect(down.headers['retry-after']).toBe('1');
    expect(down.json()).toMatchObject({ status: false, code: 'queue_unavailable', errors: { queue: [expect.any(String)] } });

    await redis.restart();
    const back = await waitFor(async () => {
      const res = await knock();
      return res.status === 200 && res;
    }, { timeoutMs: 10_000, what: 'the api to accept again' });
    expect(back.json()).toMatchObject({ status: true });
    expect(api.alive()).toBe(true);
  });

  it('answers 503 within its bound when Redis hangs', async () => {
    redis.pause();
    try {
      const hung = await knock();
      expect(hung.status).toBe(503);
      expect(hung.ms).toBeLessThan(2000);
      expect(hung.json().errors.queue[0]).toMatch(/did not answer within 1000 ms/);
    } finally {
      redis.resume();
    }
    await waitFor(async () => (await knock()).status === 200, { timeoutMs: 10_000, what: 'the api to accept again' });
  });

  it('cuts an answer short at WRITE_TIMEOUT', async () => {
    const hasty = await startApi({ redisUrl: redis.url, prefix: uniquePrefix('write'), env: { WRITE_TIMEOUT: '0.2', REDIS_TIMEOUT_MS: '1500' } });
    redis.pause();
    try {
      const res = await request(`${hasty.url}/x`, { method: 'POST', headers: { 'Knocker-Host': 'h' } });
      expect(res.status).toBe(504);
      expect(res.ms).toBeLessThan(1000);
      expect(res.json()).toMatchObject({ code: 'write_timeout', errors: { server: [expect.stringMatching(/WRITE_TIMEOUT/)] } });
    } finally {
      redis.resume();
      await hasty.kill();
    }
  });

  it('starts while Redis is down and accepts once it comes up', async () => {
    await redis.kill('SIGKILL');
    const late = await startApi({ redisUrl: redis.url, prefix: uniquePrefix('late'), env: { REDIS_TIMEOUT_MS: '300' } });
    try {
      const res = await request(`${late.url}/x`, { method: 'POST', headers: { 'Knocker-Host': 'h' } });
      expect(res.status).toBe(503);
      expect(res.ms).toBeLessThan(2000);
      await redis.restart();
      await waitFor(async () => (await request(`${late.url}/x`, { method: 'POST', headers: { 'Knocker-Host': 'h' } })).status === 200, {
        timeoutMs: 10_000, what: 'the late api to accept',
      });
    } finally {
      await late.kill();
    }
  });
});
