import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, startApi, startRedis, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type ApiProcess, type ChildHandle, type RedisServer, type Target,
} from '@knocker/test-kit';

// A password with an '@' written as is: the URL's user info ends at its last '@'.
const PARTS = ['pwone-5c2e91', 'pwtwo-d07a4b'];
let redis: RedisServer;
let api: ApiProcess;
let worker: ChildHandle;
let target: Target;

beforeAll(async () => {
  redis = await startRedis({ password: PARTS.join('@'), appendonly: false });
  target = await startTarget();
  const opts = {
    redisUrl: `redis://:${PARTS.join('@')}@127.0.0.1:${redis.port}`, prefix: uniquePrefix('redis-url'),
    env: { LOG_LEVEL: 'debug', REDIS_TIMEOUT_MS: '500' },
  };
  [api, worker] = await Promise.all([startApi(opts), startWorker(opts)]);
});
afterAll(async () => {
  await stopAll([api, worker].filter(Boolean));
  await target?.close();
  await redis?.stop();
});

describe('a Redis password holding an @', () => {
  it('reaches Redis, and no part of it reaches the output', async () => {
    const knock = () => request(`${api.url}/hook`, { method: 'POST', headers: { 'Knocker-Host': target.host }, timeoutMs: 5000 });
    expect((await knock()).status).toBe(200);
    await target.waitForRequests(1, 20_000);
    await redis.kill('SIGKILL');
    expect((await knock()).status).toBe(503);
    await waitFor(() => /Redis unreachable at redis:\/\/\*\*\*@127\.0\.0\.1:\d+/.test(api.output()), { what: 'the outage in the log' });
    for (const [name, output] of [['api', api.output()], ['worker', worker.output()]] as const) {
      for (const part of PARTS) if (output.includes(part)) throw new Error(`${part} found in the ${name} output`);
    }
  });
});
