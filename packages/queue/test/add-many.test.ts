import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { shardIndexOf } from '@knocker/keys';
import { sharedRedisUrl, shardQueues, silentLog, uniquePrefix, type ShardQueues } from '@knocker/test-kit';
import { createRequestStore, type DeliveryJob, type RequestStore } from '../src/index.js';

// Storing many requests at once over three shards: each as `add` stores it, in order.
const prefix = uniquePrefix('add-many');
const SHARDS = 3;
let redis: Redis;
let store: RequestStore;
let queues: ShardQueues[];

const job = (id: string): DeliveryJob => ({
  config: { id, host: 'a.example', scheme: 'http', timeout: 1, retries: 0, backoff_factor: 0, callback: null },
  method: 'POST', url: `http://a.example/${id}`, headers: [], body: '', acceptedAt: Date.now(), notBefore: Date.now() + 3_600_000,
});

beforeAll(() => {
  redis = new Redis(sharedRedisUrl(), { maxRetriesPerRequest: null });
  store = createRequestStore(redis, { prefix, shards: SHARDS, timeoutMs: 5000, bounded: true, log: silentLog });
  queues = Array.from({ length: SHARDS }, (_, index) => shardQueues(redis, prefix, { shards: SHARDS, index }));
});

afterAll(async () => {
  for (const q of queues ?? []) await q.obliterate();
  await Promise.allSettled([store?.close(), ...(queues ?? []).map((q) => q.close())]);
  redis?.disconnect();
});

describe('addMany', () => {
  it('stores every request on its shard and answers in order, a known chosen id as a duplicate', async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `many-${i}`);
    expect(new Set(ids.map((id) => shardIndexOf(id, SHARDS))).size).toBe(SHARDS);
    const first = await store.addMany(ids.map((id, i) => ({ job: job(id), checkDuplicate: i % 2 === 0 })));
    expect(first).toEqual(ids.map(() => ({ duplicate: false })));
    for (const id of ids) expect(await store.stateOf(id)).toBe('delayed');
    const again = await store.addMany([{ job: job('many-0'), checkDuplicate: true }, { job: job('fresh-0'), checkDuplicate: true }]);
    expect(again).toEqual([{ duplicate: true, existing: expect.objectContaining({ url: 'http://a.example/many-0' }) }, { duplicate: false }]);
  });

  it('lets exactly one of a batch and a single add racing with one id store it', async () => {
    const [alone, [inBatch]] = await Promise.all([store.add(job('raced'), { checkDuplicate: true }), store.addMany([{ job: job('raced'), checkDuplicate: true }])]);
    expect([alone.duplicate, inBatch!.duplicate].sort()).toEqual([false, true]);
  });

  it('never answers stored while REDIS_WAIT_REPLICAS replicas are missing', async () => {
    const waiting = createRequestStore(redis, { prefix, shards: SHARDS, timeoutMs: 300, bounded: true, waitReplicas: 1, log: silentLog });
    try {
      await expect(waiting.addMany([{ job: job('unreplicated'), checkDuplicate: false }])).rejects.toMatchObject({ code: 'queue_unavailable' });
    } finally {
      await waiting.close();
    }
  });
});
