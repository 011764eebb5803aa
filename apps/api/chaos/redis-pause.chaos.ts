import { afterAll, expect, it } from '@jest/globals';
import {
  outcome, request, runLoad, sleep, startApi, startRedis, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type ChildHandle, type RedisServer, type Target,
} from '@knocker/test-kit';

// Redis hangs (SIGSTOP) for three times the api's Redis timeout under load, then resumes. The
// api answers 503 within its bound instead of hanging, and nothing it accepted is lost.
const TIMEOUT_MS = 800;
let redis: RedisServer;
let target: Target;
const children: ChildHandle[] = [];

afterAll(async () => {
  redis?.resume();
  await stopAll(children, 'SIGKILL');
  await target?.close();
  await redis?.stop();
});

it('answers 503 within REDIS_TIMEOUT_MS while Redis hangs, and loses nothing it accepted', async () => {
  redis = await startRedis({ appendonly: false });
  target = await startTarget();
  const opts = { redisUrl: redis.url, prefix: uniquePrefix('chaos-pause'), env: { REDIS_TIMEOUT_MS: String(TIMEOUT_MS), LOCK_DURATION_MS: '2000', STALLED_INTERVAL_MS: '1000' } };
  const [api, worker] = await Promise.all([startApi(opts), startWorker(opts)]);
  children.push(api, worker);

  const started = Date.now();
  const fault = (async () => {
    await sleep(1500);
    redis.pause();
    await sleep(3 * TIMEOUT_MS);
    redis.resume();
  })();
  const tally = await runLoad({
    count: 3000, concurrency: 8, id: (i) => `p${i}`,
    until: () => Date.now() - started > 6000,
    send: (i) => request(`${api.url}/item/p${i}`, { method: 'POST', headers: { 'Knocker-Host': target.host, 'Knocker-Id': `p${i}` }, body: String(i), timeoutMs: 5000 }),
  });
  await fault;

  const idOf = (r: { url: string }) => /^\/item\/(p\d+)$/.exec(r.url)?.[1];
  const delivered = () => new Set(target.requests.map(idOf));
  await waitFor(() => tally.accepted.every((id) => delivered().has(id)), { timeoutMs: 90_000, intervalMs: 500, what: 'every accepted request to be delivered' });
  await sleep(500);
  const o = outcome(tally, target.requests, [], idOf);
  console.log(`chaos redis-pause: sent ${tally.sent}, accepted ${o.accepted}, 503s ${tally.statuses['503'] ?? 0} (slowest ${Math.round(tally.slowest503Ms)} ms, bound ${TIMEOUT_MS} ms), ` +
    `delivered ${o.delivered}, duplicates ${o.duplicates}, lost ${o.lost.length}, stored though answered 503 ${o.deliveredUnanswered}, answers ${JSON.stringify(tally.statuses)}`);
  expect(tally.statuses['503']).toBeGreaterThan(0);
  expect(tally.slowest503Ms).toBeLessThan(TIMEOUT_MS + 700);
  expect(tally.statuses['error']).toBeUndefined();
  expect(o.lost).toEqual([]);
  expect(api.alive()).toBe(true);
});
