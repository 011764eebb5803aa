import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  apiStartOutcome, freePort, request, sharedRedisUrl, startApi, startSentinelSet, startTarget, startWorker, stopAll, uniquePrefix, waitFor,
  type ApiProcess, type ChildHandle, type KnockerOptions, type SentinelSet, type Target,
} from '@knocker/test-kit';

// The whole pipeline on a primary, one replica and three sentinels (real redis-server and
// redis-sentinel processes), with REDIS_WAIT_REPLICAS=1; then a switch of primary.
const prefix = uniquePrefix('sentinel');
let set: SentinelSet;
let api: ApiProcess;
let t: Target;
const children: ChildHandle[] = [];
let opts: KnockerOptions;

beforeAll(async () => {
  set = await startSentinelSet();
  t = await startTarget(() => ({ status: 200 }));
  opts = { sentinels: { sentinels: set.sentinels, name: set.name }, prefix, env: { REDIS_WAIT_REPLICAS: '1', WORKER_CONCURRENCY: '10' } };
  api = await startApi(opts);
  children.push(api, await startWorker(opts));
}, 90_000);
afterAll(async () => {
  await stopAll(children);
  await t?.close();
  await set?.stop();
});

const send = (id: string) => request(`${api.url}/item/${id}`, { method: 'POST', headers: { 'Knocker-Host': t.host, 'Knocker-Id': id }, body: id });
const delivered = (ids: string[]) => {
  const seen = new Set(t.requests.map((r) => r.url));
  return ids.filter((id) => seen.has(`/item/${id}`));
};
const sendAll = async (ids: string[]) => {
  for (const id of ids) expect((await send(id)).status).toBe(200);
};

describe('Knocker on a Redis Sentinel set', () => {
  it('delivers through the primary the sentinels name, each request once', async () => {
    const ids = Array.from({ length: 100 }, (_, i) => `s-${i}`);
    await sendAll(ids);
    await waitFor(() => delivered(ids).length === ids.length, { timeoutMs: 30_000, what: '100 deliveries' });
    expect(t.requests.length).toBe(ids.length);
    const primary = await set.primary();
    expect(Number(await set.cli(primary.port, 'dbsize'))).toBeGreaterThan(0);
    expect(api.output()).toMatch(/listening on/);
  }, 60_000);

  it('follows a switch of primary without a restart: requests are accepted and delivered again', async () => {
    const former = await set.primary();
    await set.cli(set.sentinelNodes[0]!.port, 'sentinel', 'failover', set.name);
    const promoted = await set.waitNewPrimary(former);
    // The former primary becomes the replica that REDIS_WAIT_REPLICAS=1 waits for.
    await set.waitReplicas(1);
    const ids = Array.from({ length: 50 }, (_, i) => `after-${i}`);
    for (const id of ids) {
      // Until each side has found the new primary: 503s, never a hang (`request` gives up after 10 s).
      await waitFor(async () => (await send(id)).status === 200, { timeoutMs: 30_000, what: `${id} accepted` });
    }
    // The workers' blocking connections must have followed too (bullmq #3088, #3185).
    await waitFor(() => delivered(ids).length === ids.length, { timeoutMs: 30_000, what: 'deliveries after the switch' });
    expect(Number(await set.cli(promoted.port, 'dbsize'))).toBeGreaterThan(0);
    expect(children.every((c) => c.alive())).toBe(true);
  }, 90_000);
});

describe('a process given bad sentinel settings', () => {
  it.each([['api'], ['worker']] as const)('(%s) exits with 78, naming the variable, never a password', async (app) => {
    const nobody = `127.0.0.1:${await freePort()}`;
    const plainRedis = new URL(sharedRedisUrl()).host;
    const sentinels = (s: string, name = set.name, env: Record<string, string> = {}): KnockerOptions => ({ sentinels: { sentinels: s, name }, prefix, env });
    const cases: Array<[KnockerOptions, RegExp]> = [
      [sentinels(set.sentinels, set.name, { REDIS_URL: 'redis://127.0.0.1:6379' }), /REDIS_SENTINELS: replaces REDIS_URL/],
      [sentinels(set.sentinels, set.name, { REDIS_CLUSTER_NODES: nobody }), /REDIS_SENTINELS: replaces REDIS_CLUSTER_NODES/],
      [sentinels(nobody), new RegExp(`REDIS_SENTINELS: no sentinel answered within \\d+ ms \\(${nobody}\\)`)],
      // The primary's password, on the first sentinel's URL, is never repeated either.
      [sentinels(`redis://:hunter2@${set.sentinels}`, 'nobody-here'), /REDIS_SENTINEL_NAME: no sentinel monitors a primary named "nobody-here"/],
      [sentinels(plainRedis), /REDIS_SENTINELS: .* is a Redis but not a sentinel/],
    ];
    for (const [o, message] of cases) {
      const failure = app === 'api'
        ? await apiStartOutcome(o).then((r) => ({ message: `${JSON.stringify(r.exit)} ${r.output}` }))
        : await startWorker(o).then(() => undefined, (err: Error) => err);
      expect(failure?.message).toMatch(message);
      expect(failure?.message).toMatch(/"code":78|exit(ed)? .*78|code 78/);
      expect(failure?.message).not.toContain('hunter2');
    }
  }, 120_000);
});
