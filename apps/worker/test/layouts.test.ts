import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUES, shardPrefixes } from '@knocker/keys';
import {
  forgetLayout, sharedRedisUrl, sleep, startApi, startWorker, stopAll, uniquePrefix, waitFor, type ChildHandle, type KnockerProcess,
} from '@knocker/test-kit';

// A worker of one layout (1 shard) consumes the shards of another (2, which an api uses). The
// 2-shard layout is forgotten by hand while the api is down, then registered again when it
// comes back: the worker must go on consuming each of its shards once, not start over.
const prefix = uniquePrefix('layouts');
const opts = (shards: number) => ({ redisUrl: sharedRedisUrl(), prefix, env: { QUEUE_SHARDS: String(shards), MAX_EVENT_LOOP_DELAY_MS: '0', MAX_ANSWER_DELAY_MS: '0' } });
/** Longer than the processes' layout refresh period (10 s). */
const REFRESH_MS = 13_000;
const children: ChildHandle[] = [];
let redis: Redis;
let queues: Queue[];

beforeAll(() => {
  redis = new Redis(sharedRedisUrl());
  queues = shardPrefixes(prefix, 2).flatMap((p) => [QUEUES.delivery, QUEUES.callback].map((name) => new Queue(name, { connection: redis, prefix: p })));
});
afterAll(async () => {
  await stopAll(children);
  await Promise.allSettled(queues.map((q) => q.close()));
  redis?.disconnect();
});

/** BullMQ workers on each queue of the 2-shard layout, across every process (Redis's CLIENT LIST). */
const consumers = () => Promise.all(queues.map((q) => q.getWorkersCount()));

describe('a layout forgotten and registered again', () => {
  it('is consumed once per shard by a running worker', async () => {
    const api = await startApi(opts(2));
    children.push(api);
    const worker: KnockerProcess = await startWorker(opts(1));
    children.push(worker);
    await waitFor(async () => (await consumers()).every((n) => n === 1), { timeoutMs: 30_000, what: 'the worker to consume the 2-shard layout' });

    await stopAll([api]);
    await forgetLayout(redis, prefix, 2);
    // The worker reads the layouts without the forgotten one...
    await sleep(REFRESH_MS);
    // ...then a process using it registers it again.
    children.push(await startApi(opts(2)));
    await waitFor(async () => (await redis.hexists(`${prefix}:layouts`, '2')) === 1, { timeoutMs: 10_000, what: 'the layout registered again' });
    await sleep(2 * REFRESH_MS);
    expect(await consumers()).toEqual([1, 1, 1, 1]);
    expect(worker.output().match(/Consuming 2 more shards/g)).toHaveLength(1);
  }, 90_000);
});
