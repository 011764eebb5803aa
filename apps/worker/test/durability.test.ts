import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import {
  request, shardQueues, startApi, startRedis, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type ChildHandle, type RedisServer, type Target,
} from '@knocker/test-kit';

// Our own Redis: these tests kill every process around it.
let redis: RedisServer;
let t: Target;
const children: ChildHandle[] = [];

beforeAll(async () => {
  redis = await startRedis({ appendonly: true, appendfsync: 'always' });
});
afterAll(async () => {
  await stopAll(children);
  await t?.close();
  await redis?.stop();
});

describe('durability', () => {
  it('delivers a request accepted while no worker ran, once a worker starts', async () => {
    const opts = { redisUrl: redis.url, prefix: uniquePrefix('no-worker') };
    t = await startTarget();
    const api = await startApi(opts);
    children.push(api);
    const res = await request(`${api.url}/queued`, { method: 'POST', headers: { 'Knocker-Host': t.host }, body: 'kept' });
    expect(res.status).toBe(200);
    await api.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 300));
    expect(t.requests).toHaveLength(0);

    children.push(await startWorker(opts));
    const [got] = await t.waitForRequests(1);
    expect(got?.body.toString()).toBe('kept');
  });

  it('makes a pending retry after every process was killed and restarted', async () => {
    const opts = { redisUrl: redis.url, prefix: uniquePrefix('restart') };
    const flaky = await startTarget((r) => ({ status: r.n === 1 ? 500 : 200 }));
    try {
      const api = await startApi(opts);
      const worker = await startWorker(opts);
      children.push(api, worker);
      await request(`${api.url}/retry-me`, {
        method: 'POST', headers: { 'Knocker-Host': flaky.host, 'Knocker-Retries': '1', 'Knocker-Backoff-Factor': '1.5' },
      });
      await flaky.waitForRequests(1);
      // The retry waits 1.5–2.5 s in Redis as a delayed job; no process survives that wait.
      const conn = new Redis(redis.url, { maxRetriesPerRequest: null });
      const queues = shardQueues(conn, opts.prefix);
      await waitFor(async () => (await queues.delivery.getDelayedCount()) === 1, { what: 'the retry to be scheduled' });
      await queues.close();
      conn.disconnect();
      await Promise.all([api.kill('SIGKILL'), worker.kill('SIGKILL')]);
      await redis.kill('SIGKILL');
      await redis.restart();

      children.push(await startWorker(opts), await startApi(opts));
      const seen = await flaky.waitForRequests(2, 15_000);
      expect(seen[1]?.url).toBe('/retry-me');
      expect((seen[1]?.at ?? 0) - (seen[0]?.at ?? 0)).toBeGreaterThanOrEqual(1500 - 20);
    } finally {
      await flaky.close();
    }
  });
});
