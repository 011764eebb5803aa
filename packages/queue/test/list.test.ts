import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { deliveryJobId, QUEUES, queueKeys, shardIndexOf, shardPrefixes } from '@knocker/keys';
import type { KnockConfig } from '@knocker/protocol';
import { sharedRedisUrl, shardQueues, silentLog, uniquePrefix, type ShardQueues } from '@knocker/test-kit';
import { createRequestStore, type DeliveryJob, type ListQuery, type RequestStore } from '../src/index.js';

// Listing finished requests across two shards, a page at a time. Requests are stored through
// the store; they are filed as failed or delivered by hand, at chosen times, as BullMQ does.
const prefix = uniquePrefix('list');
const SHARDS = 2;
let redis: Redis;
let store: RequestStore;
let queues: ShardQueues[];

function job(id: string, host: string, status: number): DeliveryJob {
  const config: KnockConfig = { id, host, scheme: 'http', timeout: 1, retries: 0, backoff_factor: 0, callback: null };
  const attempt = { attempt: 1, started_at: new Date(0).toISOString(), duration_ms: 1, status_code: status, error: null, error_code: null, error_message: null };
  // Far in the future, so no worker could take it; the test files it itself.
  const grouped = id.startsWith('spread-') ? { group: 'g', orderKey: id } : {};
  return { config, method: 'POST', url: `http://${host}/`, headers: [], body: '', acceptedAt: 0, notBefore: Date.now() + 3_600_000, attempts: [attempt], ...grouped };
}

async function finish(id: string, at: number, how: 'failed' | 'cancelled' | 'delivered') {
  const keys = queueKeys(shardPrefixes(prefix, SHARDS)[shardIndexOf(id, SHARDS)]!, QUEUES.delivery);
  const jobId = deliveryJobId(id);
  await redis.zrem(keys.delayed, jobId);
  await redis.zadd(how === 'delivered' ? keys.completed : keys.failed, at, jobId);
  if (how !== 'delivered') await redis.hset(keys.job(jobId), 'failedReason', how === 'cancelled' ? 'cancelled' : 'HTTP 500');
  else await redis.hset(keys.job(jobId), 'returnvalue', JSON.stringify({ status_code: 200, attempts: 1, attempt: { status_code: 200 } }));
}

async function all(query: Omit<ListQuery, 'cursor'>): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await store.list({ ...query, cursor });
    expect(page.requests.length).toBeLessThanOrEqual(query.limit);
    ids.push(...page.requests.map((r) => r.id));
    cursor = page.cursor;
    pages += 1;
  } while (cursor !== undefined && pages < 1000);
  return { ids, pages };
}

// 450 failed at one same millisecond (more than a page of the scan), 30 more at distinct times,
// 5 cancelled, 5 delivered; one host in ten is b.example, every failure answered 500 but one.
const TIED = Array.from({ length: 450 }, (_, i) => `tied-${i}`);
const SPREAD = Array.from({ length: 30 }, (_, i) => `spread-${i}`);
const host = (id: string) => (Number(id.split('-')[1]) % 10 === 0 ? 'b.example' : 'a.example');

beforeAll(async () => {
  redis = new Redis(sharedRedisUrl(), { maxRetriesPerRequest: null });
  store = createRequestStore(redis, { prefix, shards: SHARDS, timeoutMs: 5000, bounded: false, log: silentLog });
  queues = Array.from({ length: SHARDS }, (_, index) => shardQueues(redis, prefix, { shards: SHARDS, index }));
  const everyone = [...TIED, ...SPREAD, 'cancelled-0', 'cancelled-1', 'cancelled-2', 'cancelled-3', 'cancelled-4', 'ok-0', 'ok-1', 'ok-2', 'ok-3', 'ok-4'];
  for (const id of everyone) await store.add(job(id, host(id), id === 'spread-7' ? 503 : 500));
  // Left waiting (no worker runs here), idle-1 accepted after idle-0.
  for (const id of ['idle-0', 'idle-1']) {
    const { notBefore: _, ...now } = job(id, 'a.example', 500);
    await store.add({ ...now, acceptedAt: Date.now() });
    await new Promise((r) => setTimeout(r, 5));
  }
  // Left delayed: late-1 is due after late-0.
  for (const id of ['late-0', 'late-1']) await store.add({ ...job(id, 'a.example', 500), notBefore: Date.now() + (id === 'late-0' ? 3_600_000 : 3_700_000) });
  for (const id of TIED) await finish(id, 5_000, 'failed');
  for (const [i, id] of SPREAD.entries()) await finish(id, 10_000 + i, 'failed');
  for (const i of [0, 1, 2, 3, 4]) await finish(`cancelled-${i}`, 6_000 + i, 'cancelled');
  for (const i of [0, 1, 2, 3, 4]) await finish(`ok-${i}`, 7_000 + i, 'delivered');
}, 60_000);

afterAll(async () => {
  for (const q of queues ?? []) await q.obliterate();
  await Promise.allSettled([store?.close(), ...(queues ?? []).map((q) => q.close())]);
  redis?.disconnect();
});

const window = { since: 0, until: 1_000_000 };

describe('listing finished requests', () => {
  it('pages through every failed request once, ties and shards included, and no cancelled one', async () => {
    const { ids, pages } = await all({ state: 'failed', filters: window, limit: 37 });
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids)).toEqual(new Set([...TIED, ...SPREAD]));
    expect(pages).toBeGreaterThan(480 / 37);
  });

  it('lists the newest first across shards, with what each request was', async () => {
    const { requests } = await store.list({ state: 'failed', filters: { since: 10_000, until: 10_029 }, limit: 100 });
    expect(requests.map((r) => r.id)).toEqual([...SPREAD].reverse());
    expect(new Set(requests.map((r) => shardIndexOf(r.id, SHARDS))).size).toBe(SHARDS);
    expect(requests.find((r) => r.id === 'spread-3')).toEqual({
      id: 'spread-3', state: 'failed', endedAt: 10_003, acceptedAt: 0, method: 'POST', url: 'http://a.example/', config: expect.objectContaining({ id: 'spread-3' }),
      lastAttempt: expect.objectContaining({ status_code: 500 }), group: 'g', orderKey: 'spread-3',
    });
  });

  it('pages newest first in one order, whatever the page size', async () => {
    const one = await all({ state: 'failed', filters: window, limit: 1000 });
    for (const limit of [1, 7, 100]) {
      const paged = await all({ state: 'failed', filters: window, limit });
      expect(paged.ids).toEqual(one.ids);
    }
    expect(one.ids.slice(0, 30)).toEqual([...SPREAD].reverse());
  });

  it('filters on the group and the order key', async () => {
    expect((await all({ state: 'failed', filters: { ...window, orderKey: 'spread-4' }, limit: 10 })).ids).toEqual(['spread-4']);
    expect((await all({ state: 'failed', filters: { ...window, group: 'g' }, limit: 50 })).ids).toEqual([...SPREAD].reverse());
  });

  it('lists waiting and delayed requests', async () => {
    expect((await all({ state: 'delayed', filters: { since: 0, until: Date.now() + 7_200_000 }, limit: 3 })).ids).toEqual(['late-1', 'late-0']);
    const waiting = await all({ state: 'waiting', filters: { since: 0, until: Date.now() + 60_000 }, limit: 1 });
    expect(waiting).toEqual({ ids: ['idle-1', 'idle-0'], pages: 2 });
  });

  it('applies every filter given', async () => {
    const b = await all({ state: 'failed', filters: { ...window, host: 'b.example:80' }, limit: 20 });
    expect(new Set(b.ids)).toEqual(new Set([...TIED, ...SPREAD].filter((id) => host(id) === 'b.example')));
    expect((await all({ state: 'failed', filters: { ...window, statusCode: 503 }, limit: 5 })).ids).toEqual(['spread-7']);
    expect((await all({ state: 'failed', filters: { since: 10_010, until: 10_012 }, limit: 5 })).ids.sort()).toEqual(['spread-10', 'spread-11', 'spread-12']);
  });

  it('lists cancelled and delivered requests by their state', async () => {
    expect((await all({ state: 'cancelled', filters: window, limit: 2 })).ids.sort()).toEqual(['cancelled-0', 'cancelled-1', 'cancelled-2', 'cancelled-3', 'cancelled-4']);
    const delivered = await store.list({ state: 'delivered', filters: window, limit: 10 });
    expect(delivered.requests.map((r) => r.id).sort()).toEqual(['ok-0', 'ok-1', 'ok-2', 'ok-3', 'ok-4']);
    expect(delivered.requests[0]?.lastAttempt).toEqual({ status_code: 200 });
  });

  it('runs a caller\'s own test, and gives the cursor after each request when asked', async () => {
    const odd = (r: { id: string }) => Number(r.id.split('-')[1]) % 2 === 1;
    expect((await all({ state: 'failed', filters: { since: 10_000, until: 10_029, match: odd }, limit: 4 })).ids).toEqual([...SPREAD].reverse().filter((id) => odd({ id })));
    const page = await store.list({ state: 'failed', filters: { since: 10_000, until: 10_029 }, limit: 5, each: true });
    expect(page.after).toHaveLength(5);
    const resumed = await store.list({ state: 'failed', filters: { since: 10_000, until: 10_029 }, limit: 2, cursor: page.after![1] });
    expect(resumed.requests.map((r) => r.id)).toEqual(page.requests.slice(2, 4).map((r) => r.id));
    expect((await store.list({ state: 'failed', filters: window, limit: 5 })).after).toBeUndefined();
  });

  it('refuses a cursor it did not give', async () => {
    for (const cursor of ['nope', Buffer.from('[1,2]').toString('base64url'), Buffer.from('"x"').toString('base64url')]) {
      await expect(store.list({ state: 'failed', filters: window, limit: 1, cursor })).rejects.toMatchObject({ status: 400, code: 'invalid_request' });
    }
  });

  // Last: it removes what the others list.
  it('removes failed requests by filter, and a finished request by id', async () => {
    expect(await store.deleteFailed({ ...window, statusCode: 503 }, 10)).toEqual({ ids: ['spread-7'], more: false });
    expect(await store.deleteFailed({ ...window, host: 'b.example' }, 2)).toEqual({ ids: [expect.any(String), expect.any(String)], more: true });
    expect((await all({ state: 'failed', filters: window, limit: 1000 })).ids).not.toContain('spread-7');
    expect(await store.stateOf('spread-7')).toBeUndefined();
    expect(await store.removeFinished('ok-0')).toBe('removed');
    expect(await store.removeFinished('cancelled-0')).toBe('removed');
    expect(await store.removeFinished('late-0')).toBe('busy');
    expect(await store.removeFinished('never-stored')).toBe('unknown');
    expect(await store.stateOf('ok-0')).toBeUndefined();
  });
});
