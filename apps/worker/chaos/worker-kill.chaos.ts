import { afterAll, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { QUEUES } from '@knocker/keys';
import {
  outcome, request, runLoad, startApi, startRedis, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type ChildHandle, type RedisServer, type Target,
} from '@knocker/test-kit';

// A worker is SIGKILLed in the middle of deliveries; the other takes its jobs over once their
// locks expire. Lost must be 0; duplicates at most what the killed worker had in flight.
const N = 1500;
const CONCURRENCY = 20;
const prefix = uniquePrefix('chaos-worker');
const env = { WORKER_CONCURRENCY: String(CONCURRENCY), LOCK_DURATION_MS: '2000', STALLED_INTERVAL_MS: '1000' };
let redis: RedisServer;
let target: Target;
let client: Redis;
const children: ChildHandle[] = [];

afterAll(async () => {
  await stopAll(children, 'SIGKILL');
  client?.disconnect();
  await target?.close();
  await redis?.stop();
});

/** Active delivery jobs and the lock token (`<worker id>:<n>`) each is held with. */
async function activeLocks(): Promise<Map<string, string>> {
  const key = `${prefix}:${QUEUES.delivery}`;
  const ids = await client.lrange(`${key}:active`, 0, -1);
  const tokens = await Promise.all(ids.map((id) => client.get(`${key}:${id}:lock`)));
  return new Map(ids.flatMap((id, i) => (tokens[i] ? [[id, tokens[i]!] as [string, string]] : [])));
}

it('loses nothing when a worker is killed mid-delivery', async () => {
  redis = await startRedis({ appendonly: false });
  client = new Redis(redis.url, { maxRetriesPerRequest: null });
  // Slow enough that each worker always has deliveries in flight.
  target = await startTarget(() => ({ status: 200, delayMs: 100 }));
  const opts = { redisUrl: redis.url, prefix, env };
  const api = await startApi(opts);
  const [doomed, survivor] = await Promise.all([startWorker(opts), startWorker(opts)]);
  children.push(api, doomed!, survivor!);

  let killed: Promise<unknown> | undefined;
  let before = new Map<string, string>();
  const tally = await runLoad({
    count: N, concurrency: 12, id: (i) => `w${i}`,
    send: (i) => request(`${api.url}/item/w${i}`, { method: 'POST', headers: { 'Knocker-Host': target.host, 'Knocker-Id': `w${i}` }, body: String(i) }),
    onAnswer: (t) => {
      if (killed === undefined && t.accepted.length >= N / 3 && target.requests.length >= 100) {
        // Read after the kill: a dead worker's locks stay as they were until they expire.
        killed = doomed!.kill('SIGKILL').then(async () => (before = await activeLocks()));
      }
    },
  });
  await killed;
  // Which worker held which job: jobs the survivor took since then carry its id; the rest of the
  // locks seen right after the kill were the dead worker's in-flight deliveries.
  await new Promise((r) => setTimeout(r, 700));
  const later = await activeLocks();
  const survivorIds = new Set([...later].filter(([id]) => !before.has(id)).map(([, t]) => t.split(':')[0]));
  const inFlightKilled = survivorIds.size === 0 ? before.size : [...before.values()].filter((t) => !survivorIds.has(t.split(':')[0])).length;

  const idOf = (r: { url: string }) => /^\/item\/(w\d+)$/.exec(r.url)?.[1];
  await waitFor(() => new Set(target.requests.map(idOf)).size >= tally.accepted.length, { timeoutMs: 90_000, what: 'every accepted request to be delivered' });
  await new Promise((r) => setTimeout(r, 500));
  const o = outcome(tally, target.requests, [], idOf);
  console.log(`chaos worker-kill: sent ${tally.sent}, accepted ${o.accepted}, delivered ${o.delivered}, duplicates ${o.duplicates}, ` +
    `lost ${o.lost.length}, in flight in the killed worker ${inFlightKilled} (its concurrency ${CONCURRENCY}), answers ${JSON.stringify(tally.statuses)}`);
  expect(o.accepted).toBe(N);
  expect(o.lost).toEqual([]);
  expect(o.duplicates).toBeLessThanOrEqual(Math.max(inFlightKilled, 1));
  expect(o.duplicates).toBeLessThanOrEqual(CONCURRENCY);
  expect(survivor!.alive()).toBe(true);
});
