import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { deliveryJobId, QUEUES, queueKeys, shardIndexOf, shardPrefixes } from '@knocker/keys';
import { createRequestStore, type DeliveryJob, type RequestStore } from '@knocker/queue';
import {
  request, sharedRedisUrl, shardQueues, silentLog, startApi, startWorker, targetPool, uniquePrefix, waitFor, type ApiProcess, type ChildHandle, type ShardQueues,
} from '@knocker/test-kit';

// Dead letters across three shards: real failures from a worker, and 10,000 filed by hand at
// chosen times in the past, listed a page at a time.
const ADMIN = 'admin-key-for-tests-0123456789';
const SHARDS = 3;
const prefix = uniquePrefix('dead');
const targets = targetPool();
const MANY = 10_000;
const EPOCH = 1_600_000_000_000;
let api: ApiProcess;
let worker: ChildHandle;
let redis: Redis;
let store: RequestStore;
let queues: ShardQueues[];

beforeAll(async () => {
  const env = { QUEUE_SHARDS: String(SHARDS), ADMIN_API_KEY: ADMIN, RETAIN_FAILED_COUNT: '100000' };
  [api, worker] = await Promise.all([startApi({ redisUrl: sharedRedisUrl(), prefix, env }), startWorker({ redisUrl: sharedRedisUrl(), prefix, env })]);
  redis = new Redis(sharedRedisUrl(), { maxRetriesPerRequest: null });
  store = createRequestStore(redis, { prefix, shards: SHARDS, timeoutMs: 5000, bounded: false, log: silentLog });
  queues = Array.from({ length: SHARDS }, (_, index) => shardQueues(redis, prefix, { shards: SHARDS, index }));
  await fileMany();
}, 120_000);

afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill(), targets.closeAll()]);
  for (const q of queues ?? []) await q.obliterate();
  await Promise.allSettled([store?.close(), ...(queues ?? []).map((q) => q.close())]);
  redis?.disconnect();
});

// Stored delayed by an hour (no worker takes them), then filed as failed, ending 1 ms apart.
async function fileMany(): Promise<void> {
  const ids = Array.from({ length: MANY }, (_, i) => `many-${i}`);
  for (let i = 0; i < MANY; i += 500) {
    await Promise.all(ids.slice(i, i + 500).map((id) => store.add(job(id))));
  }
  const pipe = redis.pipeline();
  for (const [i, id] of ids.entries()) {
    const keys = queueKeys(shardPrefixes(prefix, SHARDS)[shardIndexOf(id, SHARDS)]!, QUEUES.delivery);
    const jobId = deliveryJobId(id);
    pipe.zrem(keys.delayed, jobId).zadd(keys.failed, EPOCH + i, jobId).hset(keys.job(jobId), 'failedReason', 'HTTP 500');
  }
  await pipe.exec();
}

function job(id: string): DeliveryJob {
  const attempt = { attempt: 3, started_at: new Date(0).toISOString(), duration_ms: 1, status_code: 500, error: 'HTTP 500', error_code: null, error_message: null };
  return {
    config: { id, host: 'dead.example', scheme: 'http', timeout: 1, retries: 2, backoff_factor: 0, callback: null },
    method: 'POST', url: 'http://dead.example/hook', headers: [], body: Buffer.from('x'.repeat(2000)).toString('base64'), acceptedAt: EPOCH,
    notBefore: Date.now() + 3_600_000, attempts: [attempt],
  };
}

const admin = (method: string, path: string, body?: string, key: string | null = ADMIN) =>
  request(`${api.url}/knocker/requests${path}`, { method, headers: key === null ? {} : { 'Knocker-Admin-Key': key }, ...(body === undefined ? {} : { body }) });

describe('GET /knocker/requests', () => {
  it('lists 10,000 dead letters newest first, a page of 100 well under a second, each once, across shards', async () => {
    const seen: string[] = [];
    const times: number[] = [];
    const ended: number[] = [];
    let cursor: string | undefined;
    do {
      const query = `?state=failed&limit=100&until=${(EPOCH + MANY) / 1000}${cursor === undefined ? '' : `&cursor=${cursor}`}`;
      const started = performance.now();
      const res = await admin('GET', query);
      times.push(performance.now() - started);
      expect(res.status).toBe(200);
      const page = res.json() as { requests: Array<{ id: string; ended_at: string }>; cursor?: string };
      seen.push(...page.requests.map((r) => r.id));
      ended.push(...page.requests.map((r) => Date.parse(r.ended_at)));
      cursor = page.cursor;
    } while (cursor !== undefined && times.length < 200);
    expect(times).toHaveLength(MANY / 100);
    expect(new Set(seen).size).toBe(MANY);
    expect(ended).toEqual([...ended].sort((a, b) => b - a));
    expect(seen[0]).toBe(`many-${MANY - 1}`);
    times.sort((a, b) => a - b);
    // Generous: the machine is shared. The figure is in the test's output.
    expect(times[times.length - 1]).toBeLessThan(1000);
    console.log(`listing ${MANY} dead letters over ${SHARDS} shards: a page of 100 took ${times[49]!.toFixed(1)} ms (median), ${times[times.length - 1]!.toFixed(1)} ms (slowest)`);
  }, 60_000);

  it('shows what a worker failed and delivered, and filters on it', async () => {
    const failing = await targets.start(() => ({ status: 503 }));
    const ok = await targets.start();
    for (const [id, t] of [['dl-1', failing], ['dl-2', failing], ['dl-ok', ok]] as const) {
      const res = await request(`${api.url}/hook`, { method: 'POST', headers: { 'Knocker-Id': id, 'Knocker-Host': t.host, 'Knocker-Scheme': 'http', 'Knocker-Retries': '0' } });
      expect(res.status).toBe(200);
    }
    await waitFor(async () => (await admin('GET', `?host=${failing.host}`)).json().requests.length === 2, { what: 'two dead letters' });
    const page = (await admin('GET', `?state=failed&host=${failing.host}&status_code=503`)).json();
    expect(page).toEqual({ status: true, requests: [expect.objectContaining({ id: 'dl-2' }), expect.objectContaining({ id: 'dl-1' })] });
    expect(page.requests[0]).toEqual({
      id: 'dl-2', state: 'failed', method: 'POST', url: `http://${failing.host}/hook`, status_code: 503, error: 'HTTP 503', error_code: null, attempts: 1,
      accepted_at: expect.any(String), ended_at: expect.any(String),
    });
    await waitFor(async () => (await admin('GET', `?state=delivered&host=${ok.host}`)).json().requests.length === 1, { what: 'the delivered one' });
    expect((await admin('GET', `?state=failed&host=${failing.host}&status_code=500`)).json().requests).toEqual([]);
  });

  it('answers 400 naming each bad parameter, 401 without the admin key', async () => {
    for (const [query, name] of [['?state=lost', 'state'], ['?limit=0', 'limit'], ['?limit=1001', 'limit'], ['?status_code=abc', 'status_code'],
      ['?since=yesterday', 'since'], ['?colour=red', 'colour'], ['?cursor=nope', 'cursor'], ['?host=a&host=b', 'host'], ['?flow_key=', 'flow_key']]) {
      const res = await admin('GET', query!);
      expect([query, res.status]).toEqual([query, 400]);
      expect(Object.keys(res.json().errors)).toContain(name);
    }
    const delivered = (await admin('GET', '?state=delivered&limit=1')).json();
    const wrongState = await admin('GET', `?state=failed&cursor=${Buffer.from(JSON.stringify(['delivered', null, []])).toString('base64url')}`);
    expect(wrongState.json().errors.cursor[0]).toMatch(/delivered requests/);
    expect(delivered.status).toBe(true);
    expect((await admin('GET', '?state=failed', undefined, null)).status).toBe(401);
    expect((await admin('PUT', '')).status).toBe(405);
  });
});

describe('deleting requests', () => {
  it('removes a failed or delivered request by id, and cancels a delayed one', async () => {
    expect((await admin('DELETE', '/many-5')).json()).toEqual({ status: true, id: 'many-5', state: 'removed' });
    expect((await admin('GET', '/many-5')).status).toBe(404);
    expect((await admin('DELETE', '/many-5')).status).toBe(404);
    await store.add({ ...job('late-1'), notBefore: Date.now() + 3_600_000 });
    expect((await admin('DELETE', '/late-1')).json()).toEqual({ status: true, id: 'late-1', state: 'cancelled' });
    expect((await admin('DELETE', '/late-1')).json()).toEqual({ status: true, id: 'late-1', state: 'removed' });
  });

  it('removes failed requests by filter, a bounded number per call, saying whether more remain', async () => {
    const filters = { until: (EPOCH + 99) / 1000, limit: 60 };
    const first = (await admin('POST', '/delete', JSON.stringify(filters))).json();
    expect(first).toMatchObject({ status: true, deleted: 60, more: true });
    expect(first.ids[0]).toBe('many-0');
    const second = (await admin('POST', '/delete', JSON.stringify(filters))).json();
    // many-5 was removed above: 99 of the first 100 are gone after two calls.
    expect(second).toMatchObject({ status: true, deleted: 39, more: false });
    const left = (await admin('GET', `?until=${(EPOCH + 120) / 1000}&limit=1000`)).json().requests.map((r: { id: string }) => r.id);
    expect(left).toHaveLength(21);
    expect((await admin('POST', '/delete', '{"limit": 5000, "shade": 1}')).json().errors).toEqual({ limit: [expect.any(String)], shade: [expect.any(String)] });
  });
});
