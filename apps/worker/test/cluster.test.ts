import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { shardIndexOf, shardPrefixes, slotOf } from '@knocker/keys';
import {
  request, startApi, startCluster, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type ApiProcess, type ChildHandle, type RedisCluster, type Target,
} from '@knocker/test-kit';

// The whole pipeline on a real Redis Cluster of 3 masters and 3 replicas, with 3 shards.
const N = 1000;
const SHARDS = 3;
const ADMIN_KEY = 'cluster-admin-key-0123456789';
const prefix = uniquePrefix('cluster');
let cluster: RedisCluster;
let api: ApiProcess;
let t: Target;
const children: ChildHandle[] = [];

beforeAll(async () => {
  const started = Date.now();
  cluster = await startCluster({ masters: 3, replicasPerMaster: 1 });
  console.log(`cluster of 6 nodes ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  // The target fails what it is told to fail, until told otherwise.
  const failing = new Set<string>();
  t = await startTarget((r) => (failing.has(r.url) ? { status: 500 } : { status: 200 }));
  Object.assign(t, { failing });
  const opts = { clusterNodes: cluster.seeds, prefix, env: { QUEUE_SHARDS: String(SHARDS), ADMIN_API_KEY: ADMIN_KEY, WORKER_CONCURRENCY: '20', HEALTH_DETAILED: 'true', MAX_EVENT_LOOP_DELAY_MS: '0', MAX_ANSWER_DELAY_MS: '0' } };
  api = await startApi(opts);
  children.push(api, ...(await Promise.all([startWorker(opts), startWorker(opts)])));
}, 90_000);
afterAll(async () => {
  await stopAll(children);
  await t?.close();
  await cluster?.stop();
});

const send = (id: string, headers: Record<string, string> = {}) =>
  request(`${api.url}/item/${id}`, { method: 'POST', headers: { 'Knocker-Host': t.host, 'Knocker-Id': id, ...headers }, body: id });
const admin = (path: string, method = 'GET') => request(`${api.url}/knocker/requests/${path}`, { method, headers: { 'Knocker-Admin-Key': ADMIN_KEY } });
// One id per shard, by trying ids in order.
const idOnShard = (label: string, shard: number) => {
  for (let i = 0; ; i++) if (shardIndexOf(`${label}-${i}`, SHARDS) === shard) return `${label}-${i}`;
};
const shards = [...Array(SHARDS).keys()];

describe('Knocker on a Redis Cluster with QUEUE_SHARDS=3', () => {
  it(`delivers ${N} requests exactly once, the work spread over every master`, async () => {
    let next = 0;
    const loop = async () => {
      while (next < N) {
        const i = next++;
        expect((await send(`c-${i}`)).status).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: 16 }, loop));
    await waitFor(() => t.requests.length >= N, { timeoutMs: 90_000, what: `${N} deliveries` });
    await new Promise((r) => setTimeout(r, 1000));
    const urls = t.requests.map((r) => r.url);
    expect(urls).toHaveLength(N);
    expect(new Set(urls).size).toBe(N);
    for (const worker of children.slice(1)) expect(worker.output()).toMatch(/done in/);

    // Each shard's slot is on its own master, and every master holds keys.
    const masters = await cluster.masters();
    const holders = shardPrefixes(prefix, SHARDS).map((p) => masters.find((m) => m.slots.some(([a, b]) => slotOf(p) >= a && slotOf(p) <= b))!.node.port);
    expect(new Set(holders).size).toBe(3);
    for (const m of masters) expect(Number(await cluster.cli(m.node.port, 'dbsize'))).toBeGreaterThan(0);

    const status = (await request(`${api.url}/knocker/status`)).json();
    expect(status).toMatchObject({ delivered: N, failed: 0 });
    const hc = (await request(`${api.url}/hc`)).json();
    expect(hc.checks.find((c: { path: string }) => c.path === 'workers')).toMatchObject({ isHealthy: true, message: expect.stringMatching(/on each of 3 shards/) });
  }, 180_000);

  it('finds, answers duplicates of, retries and cancels requests on every shard', async () => {
    const failing = (t as unknown as { failing: Set<string> }).failing;
    for (const shard of shards) {
      // The latest: RETAIN_COMPLETED_COUNT is shared out over the shards, the earliest are gone.
      const id = `c-${[...Array(N).keys()].reverse().find((i) => shardIndexOf(`c-${i}`, SHARDS) === shard)}`;
      expect((await admin(id)).json()).toMatchObject({ id, state: 'delivered' });
      const again = await send(id);
      expect(again.json()).toMatchObject({ duplicate: true });

      const retried = idOnShard(`retry-${shard}`, shard);
      failing.add(`/item/${retried}`);
      expect((await send(retried, { 'Knocker-Retries': '0' })).status).toBe(200);
      await waitFor(async () => (await admin(retried)).json().state === 'failed', { timeoutMs: 30_000, what: `${retried} to fail` });
      failing.delete(`/item/${retried}`);
      expect((await admin(`${retried}/retry`, 'POST')).json()).toMatchObject({ state: 'waiting' });
      await waitFor(async () => (await admin(retried)).json().state === 'delivered', { timeoutMs: 30_000, what: `${retried} to be delivered` });

      const cancelled = idOnShard(`cancel-${shard}`, shard);
      expect((await send(cancelled, { 'Knocker-Delay': '600' })).status).toBe(200);
      expect((await admin(cancelled, 'DELETE')).json()).toMatchObject({ state: 'cancelled' });
      expect((await admin(cancelled)).json()).toMatchObject({ state: 'cancelled' });

      const logged = await request(`${api.url}/knocker/log?id=${encodeURIComponent(id)}`, { method: 'POST', body: `line on shard ${shard}` });
      expect(logged.json()).toMatchObject({ lines: 1 });
    }
    await new Promise((r) => setTimeout(r, 1000));
    expect(new Set(t.requests.map((r) => r.url)).size).toBe(t.requests.length - shards.length);
  }, 180_000);

  it('stores the copies of a group request in one step on the shard of its id, on every shard', async () => {
    const g = await startTarget();
    try {
      const endpoints = ['a', 'b', 'c'].map((name) => ({ name, url: `http://${g.host}/${name}` }));
      const put = await request(`${api.url}/knocker/groups/fan`, { method: 'PUT', headers: { 'Knocker-Admin-Key': ADMIN_KEY }, body: JSON.stringify({ endpoints }) });
      expect(put.status).toBe(200);
      for (const shard of shards) {
        const id = idOnShard(`group-${shard}`, shard);
        const sent = await request(`${api.url}/order`, { method: 'POST', headers: { 'Knocker-Group': 'fan', 'Knocker-Id': id }, body: id });
        expect(sent.json().requests.map((r: { id: string }) => r.id)).toEqual([`${id}~~a`, `${id}~~b`, `${id}~~c`]);
        expect((await request(`${api.url}/order`, { method: 'POST', headers: { 'Knocker-Group': 'fan', 'Knocker-Id': id } })).json()).toMatchObject({ duplicate: true });
        for (const name of ['a', 'b', 'c']) {
          await waitFor(async () => (await admin(`${id}~~${name}`)).json().state === 'delivered', { timeoutMs: 30_000, what: `${id}~~${name} delivered` });
        }
      }
      expect(g.requests.map((r) => `${r.headers['x-knocker-id']} ${r.url}`).sort()).toEqual(
        shards.flatMap((shard) => ['a', 'b', 'c'].map((n) => `${idOnShard(`group-${shard}`, shard)}~~${n} /${n}/order`)).sort(),
      );
    } finally {
      await g.close();
    }
  }, 120_000);
});
