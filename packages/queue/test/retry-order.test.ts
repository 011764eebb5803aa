import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { loadConfig } from '@knocker/config';
import { deliveryJobId } from '@knocker/keys';
import type { KnockConfig } from '@knocker/protocol';
import { sharedRedisUrl, shardQueues, silentLog, uniquePrefix, waitFor, type ShardQueues } from '@knocker/test-kit';
import { createRequestStore, type Consumers, type DeliveryJob, type RequestStore } from '../src/index.js';

// Retries coming due all at once (a target back from an outage) must not hold up new requests:
// a retry recorded through the job context waits behind every first attempt.
const prefix = uniquePrefix('retry-order');
const config = loadConfig({});
let redis: Redis;
let queues: ShardQueues;
let store: RequestStore;
let consumers: Consumers;
const taken: string[] = [];
let release = () => undefined as void;
const held = new Promise<void>((resolve) => (release = resolve));

const job = (id: string): DeliveryJob => {
  const c: KnockConfig = { id, host: 'target.example', scheme: 'http', timeout: 1, retries: 1, backoff_factor: 0, callback: null };
  return { config: c, method: 'POST', url: 'http://target.example/', headers: [], body: '', acceptedAt: Date.now() };
};

beforeAll(() => {
  redis = new Redis(sharedRedisUrl(), { maxRetriesPerRequest: null });
  queues = shardQueues(redis, prefix);
  store = createRequestStore(redis, { prefix, shards: 1, timeoutMs: 10_000, bounded: false, log: silentLog });
  consumers = store.consume({
    async delivery(j, ctx) {
      if (j.data.config.id === 'blocker') await held;
      taken.push(`${j.data.config.id}#${j.attemptsMade + 1}`);
      if (j.data.config.id.startsWith('old') && j.attemptsMade === 0) {
        await ctx.recordFailure(j, { ...j.data, attempts: [[1, Date.now(), 1, 502, 'refused']] });
        throw new Error('refused');
      }
      return { status_code: 200, attempts: j.attemptsMade + 1, attempt: { attempt: 1, started_at: '', duration_ms: 0, status_code: 200, error: null, error_code: null, error_message: null } };
    },
    callback: async () => undefined,
  }, { concurrency: 1, stalled: config.worker.stalled, retention: config.queue.retention, backoff: () => 3_600_000 });
});

afterAll(async () => {
  await consumers?.close(5000);
  await queues.delivery.obliterate({ force: true });
  await Promise.allSettled([queues.close(), store.close()]);
  redis.disconnect();
});

describe('retries coming due at once', () => {
  it('are taken after the new requests waiting beside them', async () => {
    const old = Array.from({ length: 20 }, (_, i) => `old-${i}`);
    for (const id of old) await store.add(job(id), { checkDuplicate: false });
    await waitFor(async () => (await queues.delivery.getDelayedCount()) === 20, { timeoutMs: 20_000 });
    // The only worker slot is held while the retries come due (promoted one by one, as the flow
    // waker does; BullMQ's own promotion of due jobs reads the same priority) and new requests arrive.
    await store.add(job('blocker'), { checkDuplicate: false });
    await waitFor(async () => (await queues.delivery.getActiveCount()) === 1);
    for (const id of old) await (await queues.delivery.getJob(deliveryJobId(id)))!.promote();
    const fresh = Array.from({ length: 20 }, (_, i) => `new-${i}`);
    for (const id of fresh) await store.add(job(id), { checkDuplicate: false });
    taken.length = 0;
    release();
    await waitFor(() => taken.length === 41, { timeoutMs: 20_000 });
    expect(taken.slice(1, 21).sort()).toEqual(fresh.map((id) => `${id}#1`).sort());
    expect(taken.slice(21).sort()).toEqual(old.map((id) => `${id}#2`).sort());
  }, 60_000);
});
