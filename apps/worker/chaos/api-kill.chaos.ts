import { afterAll, expect, it } from '@jest/globals';
import {
  outcome, request, runLoad, startApi, startRedis, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type ChildHandle, type RedisServer, type Target,
} from '@knocker/test-kit';

// The api is SIGKILLed under load; clients move to a second api. Every request either api
// answered 2xx is delivered.
const N = 1500;
let redis: RedisServer;
let target: Target;
const children: ChildHandle[] = [];

afterAll(async () => {
  await stopAll(children, 'SIGKILL');
  await target?.close();
  await redis?.stop();
});

it('delivers every request a killed api had answered 2xx', async () => {
  redis = await startRedis({ appendonly: false });
  target = await startTarget();
  const opts = { redisUrl: redis.url, prefix: uniquePrefix('chaos-api') };
  const [doomed, spare, worker] = await Promise.all([startApi(opts), startApi(opts), startWorker(opts)]);
  children.push(doomed, spare, worker);

  let killed: Promise<unknown> | undefined;
  const tally = await runLoad({
    count: N, concurrency: 12, id: (i) => `a${i}`,
    send: (i) => {
      const api = doomed.alive() && killed === undefined ? doomed : spare;
      return request(`${api.url}/item/a${i}`, { method: 'POST', headers: { 'Knocker-Host': target.host, 'Knocker-Id': `a${i}` }, body: String(i), timeoutMs: 5000 });
    },
    onAnswer: (t) => {
      if (killed === undefined && t.accepted.length >= N / 3) killed = doomed.kill('SIGKILL');
    },
  });
  await killed;

  const idOf = (r: { url: string }) => /^\/item\/(a\d+)$/.exec(r.url)?.[1];
  await waitFor(() => tally.accepted.every((id) => target.requests.some((r) => idOf(r) === id)), { timeoutMs: 90_000, intervalMs: 500, what: 'every accepted request to be delivered' });
  await new Promise((r) => setTimeout(r, 500));
  const o = outcome(tally, target.requests, [], idOf);
  console.log(`chaos api-kill: sent ${tally.sent}, accepted ${o.accepted}, unanswered (reset by the kill) ${tally.statuses.error ?? 0}, ` +
    `delivered ${o.delivered}, duplicates ${o.duplicates}, lost ${o.lost.length}, delivered though unanswered ${o.deliveredUnanswered}, answers ${JSON.stringify(tally.statuses)}`);
  expect(o.accepted).toBeGreaterThan(N / 3);
  expect(o.lost).toEqual([]);
  expect(o.duplicates).toBe(0);
});
