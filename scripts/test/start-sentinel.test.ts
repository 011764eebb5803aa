// `pnpm start` with REDIS_SENTINELS: no private Redis, the apps on the primary the sentinels
// name, requests delivered.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect, it } from '@jest/globals';
import {
  freePort, request, startProcess, startSentinelSet, startTarget, uniquePrefix, waitFor, type ChildHandle, type SentinelSet, type Target,
} from '@knocker/test-kit';

const root = fileURLToPath(new URL('../../', import.meta.url));
const preload = new URL('../../packages/test-kit/dist/loopback-preload.js', import.meta.url).href;
let set: SentinelSet;
let target: Target;
let start: ChildHandle | undefined;

afterAll(async () => {
  await start?.kill('SIGINT');
  await target?.close();
  await set?.stop();
});

it('runs on a Sentinel set when REDIS_SENTINELS is set, without a private Redis', async () => {
  set = await startSentinelSet();
  target = await startTarget();
  const [port, metricsPort] = [await freePort(), await freePort()];
  start = await startProcess({
    name: 'pnpm start',
    entry: join(root, 'scripts/start.mjs'),
    env: {
      PORT: String(port), METRICS_PORT: String(metricsPort), REDIS_SENTINELS: set.sentinels, REDIS_SENTINEL_NAME: set.name, REDIS_WAIT_REPLICAS: '1',
      WORKERS: '1', QUEUE_PREFIX: uniquePrefix('start-sentinel'), BIND_ADDRESS: '127.0.0.1', SCHEME: 'http', LOG_LEVEL: 'warning',
      NODE_OPTIONS: `--import ${preload}`, KT_FAKE_DNS: '{}',
    },
    ready: /\[start\] worker-1 started/,
    readyTimeoutMs: 240_000,
  });
  await waitFor(() => request(`http://127.0.0.1:${port}/hc/_self`, { timeoutMs: 2_000 }).then((r) => r.status === 200, () => false), { timeoutMs: 60_000, what: 'the api' });
  for (let i = 0; i < 20; i++) {
    const reply = await request(`http://127.0.0.1:${port}/hook/${i}`, { method: 'POST', headers: { 'Knocker-Host': target.host, 'Knocker-Id': `ss-${i}` }, body: 'x' });
    expect(reply.status).toBe(200);
  }
  await waitFor(() => target.requests.length >= 20, { timeoutMs: 30_000, what: '20 deliveries' });
  expect(start.output()).toMatch(/\[start\] Redis through REDIS_SENTINELS: no private redis-server/);
  expect(start.output()).not.toMatch(/\[start\] redis started/);
  expect(Number(await set.cli((await set.primary()).port, 'dbsize'))).toBeGreaterThan(0);
}, 300_000);
