import { afterAll, expect, it } from '@jest/globals';
import {
  outcome, request, runLoad, sleep, startApi, startRedis, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type ChildHandle, type Recorded, type RedisServer, type Target,
} from '@knocker/test-kit';

// The target flaps: it answers 500, then resets connections, then answers slower than the
// timeout, then recovers. Requests carry 0 to 4 retries. Every attempt must follow the backoff;
// a request is delivered, or called back exactly when all its attempts failed, never both.
const N = 300;
const FACTOR = 0.2;
// Generous: on a loaded machine a prompt answer can take a few hundred ms to be read.
const TIMEOUT_S = 1.5;
let redis: RedisServer;
let target: Target;
let cb: Target;
const children: ChildHandle[] = [];

afterAll(async () => {
  await stopAll(children, 'SIGKILL');
  await Promise.all([target?.close(), cb?.close()]);
  await redis?.stop();
});

type Verdict = 'ok' | 'http-500' | 'reset' | 'slow';

it('retries on the backoff through a flapping target, and calls back only when attempts ran out', async () => {
  redis = await startRedis({ appendonly: false });
  const verdicts = new Map<Recorded, Verdict>();
  let t0 = 0;
  target = await startTarget((r) => {
    const at = r.at - t0;
    const verdict: Verdict = at < 1500 ? 'http-500' : at < 2500 ? 'reset' : at < 3500 ? 'slow' : 'ok';
    verdicts.set(r, verdict);
    if (verdict === 'http-500') return { status: 500 };
    if (verdict === 'reset') return { destroy: true };
    if (verdict === 'slow') return { status: 200, delayMs: TIMEOUT_S * 1000 + 1000 };
    return { status: 200 };
  });
  cb = await startTarget();
  const opts = { redisUrl: redis.url, prefix: uniquePrefix('chaos-flap'), env: { WORKER_CONCURRENCY: '50' } };
  const [api, ...workers] = await Promise.all([startApi(opts), startWorker(opts), startWorker(opts)]);
  children.push(api, ...workers);

  const retriesOf = (i: number) => i % 5;
  t0 = Date.now();
  const tally = await runLoad({
    count: N, concurrency: 6, id: (i) => `f${i}`,
    send: (i) => request(`${api.url}/item/f${i}`, {
      method: 'POST',
      headers: {
        'Knocker-Host': target.host, 'Knocker-Id': `f${i}`, 'Knocker-Retries': String(retriesOf(i)), 'Knocker-Backoff-Factor': String(FACTOR),
        'Knocker-Timeout': String(TIMEOUT_S), 'Knocker-Callback': `${cb.url}/failed`,
      },
    }),
  });

  const idOf = (r: Recorded) => /^\/item\/(f\d+)$/.exec(r.url)?.[1];
  const attemptsOf = (id: string) => target.requests.filter((r) => idOf(r) === id);
  const settled = (id: string) => {
    const attempts = attemptsOf(id);
    const i = Number(id.slice(1));
    return attempts.some((r) => verdicts.get(r) === 'ok') || attempts.length === retriesOf(i) + 1;
  };
  await waitFor(() => tally.accepted.every(settled), { timeoutMs: 90_000, intervalMs: 500, what: 'every request delivered or out of attempts' });
  const failedIds = tally.accepted.filter((id) => !attemptsOf(id).some((r) => verdicts.get(r) === 'ok'));
  await waitFor(() => cb.requests.length >= failedIds.length, { timeoutMs: 60_000, intervalMs: 500, what: `${failedIds.length} callbacks` });
  await sleep(1500);

  const callbacks = new Map<string, { status_code: number }[]>();
  for (const r of cb.requests) {
    const body = JSON.parse(r.body.toString()) as { config: { id: string }; status_code: number };
    callbacks.set(body.config.id, [...(callbacks.get(body.config.id) ?? []), body]);
  }
  let attemptsTotal = 0;
  let gapsChecked = 0;
  for (const id of tally.accepted) {
    const i = Number(id.slice(1));
    const attempts = attemptsOf(id);
    attemptsTotal += attempts.length;
    const okAt = attempts.findIndex((r) => verdicts.get(r) === 'ok');
    expect(attempts.length).toBeLessThanOrEqual(retriesOf(i) + 1);
    if (okAt >= 0) {
      // Delivered: no attempt after the success, and no callback.
      expect(okAt).toBe(attempts.length - 1);
      expect(callbacks.get(id)).toBeUndefined();
    } else {
      expect(attempts).toHaveLength(retriesOf(i) + 1);
      const last = verdicts.get(attempts.at(-1)!);
      const expected = last === 'http-500' ? 500 : last === 'reset' ? 502 : 504;
      expect(callbacks.get(id)?.map((c) => c.status_code)).toEqual([expected]);
    }
    // Knocker's backoff: attempt n+1 starts factor·2^(n−1) s (plus up to 1 s of jitter) after
    // attempt n ended; a slow attempt ends at its timeout. Slack for a loaded machine above.
    for (let n = 1; n < attempts.length; n++) {
      const gap = attempts[n]!.at - attempts[n - 1]!.at;
      const wait = FACTOR * 2 ** (n - 1) * 1000;
      expect(gap).toBeGreaterThanOrEqual(wait - 30);
      expect(gap).toBeLessThanOrEqual(wait + 1000 + TIMEOUT_S * 1000 + 3000);
      gapsChecked++;
    }
  }
  const o = outcome(tally, target.requests, cb.requests, idOf, (r) => verdicts.get(r) === 'ok');
  const byVerdict: Record<string, number> = {};
  for (const v of verdicts.values()) byVerdict[v] = (byVerdict[v] ?? 0) + 1;
  console.log(`chaos target-flap: sent ${tally.sent}, accepted ${o.accepted}, delivered ${o.delivered}, called back ${o.calledBack} (expected ${failedIds.length}), ` +
    `lost ${o.lost.length}, attempts ${attemptsTotal} ${JSON.stringify(byVerdict)}, backoff gaps checked ${gapsChecked}`);
  expect(o.accepted).toBe(N);
  expect(o.lost).toEqual([]);
  expect(o.calledBack).toBe(failedIds.length);
  expect(o.delivered).toBe(N - failedIds.length);
  expect(Object.keys(byVerdict).sort()).toEqual(['http-500', 'ok', 'reset', 'slow']);
});
