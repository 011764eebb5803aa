import { afterAll, expect, it } from '@jest/globals';
import {
  outcome, request, runLoad, sleep, startApi, startRedis, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type ChildHandle, type RedisServer, type Target,
} from '@knocker/test-kit';

// Redis is SIGKILLed under load and restarted from its AOF (appendfsync always). During the
// outage the api answers 503 fast; afterwards api and workers reconnect by themselves and every
// 2xx is delivered.
const TIMEOUT_MS = 1000;
let redis: RedisServer;
let target: Target;
const children: ChildHandle[] = [];

afterAll(async () => {
  await stopAll(children, 'SIGKILL');
  await target?.close();
  await redis?.stop();
});

it('delivers every request accepted before a Redis crash once Redis is back', async () => {
  redis = await startRedis({ appendonly: true, appendfsync: 'always' });
  target = await startTarget();
  const opts = { redisUrl: redis.url, prefix: uniquePrefix('chaos-redis'), env: { REDIS_TIMEOUT_MS: String(TIMEOUT_MS), LOCK_DURATION_MS: '2000', STALLED_INTERVAL_MS: '1000' } };
  const [api, ...workers] = await Promise.all([startApi(opts), startWorker(opts), startWorker(opts)]);
  children.push(api, ...workers);

  const started = Date.now();
  const phases = { killedAt: 0, restartedAt: 0, acceptedBeforeKill: 0, acceptedBeforeRestart: 0 };
  let live: { accepted: string[] } = { accepted: [] };
  const fault = (async () => {
    await sleep(2000);
    phases.acceptedBeforeKill = live.accepted.length;
    await redis.kill('SIGKILL');
    phases.killedAt = Date.now() - started;
    await sleep(2500);
    phases.acceptedBeforeRestart = live.accepted.length;
    await redis.restart();
    phases.restartedAt = Date.now() - started;
  })();
  const tally = await runLoad({
    count: 3000, concurrency: 8, id: (i) => `r${i}`,
    until: () => Date.now() - started > 7000,
    onAnswer: (t) => (live = t),
    send: (i) => request(`${api.url}/item/r${i}`, { method: 'POST', headers: { 'Knocker-Host': target.host, 'Knocker-Id': `r${i}` }, body: String(i), timeoutMs: 5000 }),
  });
  await fault;
  // The load may have spent its count during the outage (503s come back fast): ask the api
  // directly whether it accepts again, without a restart.
  await waitFor(async () => (await request(`${api.url}/item/after`, {
    method: 'POST', headers: { 'Knocker-Host': target.host, 'Knocker-Id': 'after' }, body: 'after', timeoutMs: 5000,
  }).catch(() => undefined))?.status === 200, { timeoutMs: 20_000, intervalMs: 200, what: 'the api to accept again after the restart' });

  const idOf = (r: { url: string }) => /^\/item\/(r\d+|after)$/.exec(r.url)?.[1];
  const delivered = () => new Set(target.requests.map(idOf));
  await waitFor(() => delivered().has('after') && tally.accepted.every((id) => delivered().has(id)), { timeoutMs: 90_000, intervalMs: 500, what: 'every accepted request to be delivered' });
  await sleep(500);
  const o = outcome(tally, target.requests, [], idOf);
  console.log(`chaos redis-kill: sent ${tally.sent}, accepted ${o.accepted}, 503s ${tally.statuses['503'] ?? 0} (slowest ${Math.round(tally.slowest503Ms)} ms), ` +
    `delivered ${o.delivered}, duplicates ${o.duplicates}, lost ${o.lost.length}, accepted before the kill ${phases.acceptedBeforeKill}, during the outage ${phases.acceptedBeforeRestart - phases.acceptedBeforeKill}, after the restart ${o.accepted - phases.acceptedBeforeRestart}; killed at ${phases.killedAt} ms, restarted at ${phases.restartedAt} ms, answers ${JSON.stringify(tally.statuses)}`);
  expect(tally.statuses['503']).toBeGreaterThan(0);
  expect(tally.slowest503Ms).toBeLessThan(TIMEOUT_MS + 1000);
  expect(tally.statuses['error']).toBeUndefined();
  expect(o.lost).toEqual([]);
  // Accepted and delivered after the restart too (the 'after' request above): the api and
  // workers reconnected by themselves.
  expect(phases.acceptedBeforeKill).toBeGreaterThan(0);
  expect(workers.every((w) => w.alive())).toBe(true);
});
