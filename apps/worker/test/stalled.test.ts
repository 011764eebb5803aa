import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, startApi, startTarget, startWorker, stopAll, uniquePrefix, type ApiProcess, type ChildHandle, type Target,
} from '@knocker/test-kit';

// Short locks so a dead worker's job is taken over within about a second.
const opts = {
  redisUrl: sharedRedisUrl(), prefix: uniquePrefix('stalled'),
  env: { LOCK_DURATION_MS: '1000', STALLED_INTERVAL_MS: '300', MAX_STALLED_COUNT: '1' },
};
let api: ApiProcess;
let stuck: Target;
let cb: Target;
const children: ChildHandle[] = [];

beforeAll(async () => {
  // Never answers in time: every worker that takes the job is still inside the call when killed.
  stuck = await startTarget(() => ({ status: 200, delayMs: 60_000 }));
  cb = await startTarget();
  api = await startApi(opts);
  children.push(api);
});
afterAll(async () => {
  await stopAll(children, 'SIGKILL');
  await Promise.all([stuck?.close(), cb?.close()]);
});

describe('a delivery whose workers keep dying', () => {
  it('is attempted again after a crash, and given up with a callback after MAX_STALLED_COUNT crashes', async () => {
    const res = await request(`${api.url}/poison`, {
      method: 'POST', headers: { 'Knocker-Host': stuck.host, 'Knocker-Timeout': '50', 'Knocker-Callback': `${cb.url}/failed`, 'Knocker-Id': 'poison-1' },
    });
    expect(res.status).toBe(200);

    for (const n of [1, 2]) {
      const worker = await startWorker(opts);
      children.push(worker);
      await stuck.waitForRequests(n, 15_000);
      await worker.kill('SIGKILL');
    }
    const last = await startWorker(opts);
    children.push(last);
    const [callback] = await cb.waitForRequests(1, 15_000);
    expect(JSON.parse(callback?.body.toString() ?? '')).toMatchObject({ config: { id: 'poison-1' }, status_code: 999, error: 'worker_lost' });
    // Given up before calling the target a third time.
    expect(stuck.requests).toHaveLength(2);
    expect(last.output()).toMatch(/Request #poison-1 .* given up: a worker died during 2 attempts \(MAX_STALLED_COUNT 1\)/);
  });
});
