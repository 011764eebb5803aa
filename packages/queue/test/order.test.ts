import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { ORDER_LINE_MAX } from '@knocker/contract';
import { deliveryJobId } from '@knocker/keys';
import type { KnockConfig } from '@knocker/protocol';
import { sharedRedisUrl, shardQueues, silentLog, sleep, uniquePrefix, waitFor, type ShardQueues } from '@knocker/test-kit';
import { createRequestStore, OrderLineFullError, type Consumers, type DeliveryJob, type RequestStore } from '../src/index.js';

// Order lines through the store's face, with the store's own consumers: what a worker that
// dies at the wrong moment leaves behind must not hold a line for ever.
const prefix = uniquePrefix('order-lines');
const connections: Redis[] = [];
let queues: ShardQueues;
let store: RequestStore;
let consumers: Consumers | undefined;
const attempted: string[] = [];

function connect(): Redis {
  const redis = new Redis(sharedRedisUrl(), { maxRetriesPerRequest: null });
  connections.push(redis);
  return redis;
}

beforeAll(() => {
  queues = shardQueues(connect(), prefix);
  store = createRequestStore(connect(), { prefix, shards: 1, timeoutMs: 10_000, bounded: false, log: silentLog });
});

afterAll(async () => {
  await consumers?.close(1000);
  await queues.delivery.obliterate({ force: true });
  await Promise.allSettled([queues.close(), store.close()]);
  for (const c of connections) c.disconnect();
});

function job(id: string, orderKey: string, delayMs?: number): DeliveryJob {
  const config: KnockConfig = { id, host: 'target.example', scheme: 'http', timeout: 1, retries: 0, backoff_factor: 0, callback: null };
  const data: DeliveryJob = { config, method: 'POST', url: 'http://target.example/', headers: [], body: '', acceptedAt: Date.now(), orderKey };
  return delayMs === undefined ? data : { ...data, notBefore: Date.now() + delayMs };
}

function consume(): void {
  consumers ??= store.consume({
    delivery: async (j, ctx, token) => {
      await ctx.takeTurn(j, j.data.orderKey ?? '', token);
      attempted.push(j.data.config.id);
      return { status_code: 200, attempts: 1, attempt: { attempt: 1, started_at: '', duration_ms: 0, status_code: 200, error: null, error_code: null, error_message: null } };
    },
    callback: async () => undefined,
  }, {
    concurrency: 5, stalled: { lockDurationMs: 30_000, stalledIntervalMs: 30_000, maxStalledCount: 1 },
    retention: { completed: { count: 1000, age: 0 }, failed: { count: 1000, age: 0 } }, backoff: () => 0,
  });
}

describe('order lines', () => {
  it('lets the next go when the head is removed without leaving its line (the sweep finds it)', async () => {
    await store.add(job('gone-head', 'k-gone', 3_600_000));
    await store.add(job('next-1', 'k-gone'));
    await store.add(job('next-2', 'k-gone'));
    consume();
    await sleep(1500);
    expect(attempted).toEqual([]);
    expect(await store.orderLine('k-gone')).toMatchObject({ head: { id: 'gone-head', state: 'delayed' }, waiting: 2 });
    // As if its worker died between BullMQ's end of the job and the line: nobody tells the line.
    expect(await queues.delivery.remove(deliveryJobId('gone-head'))).toBe(1);
    const began = Date.now();
    await waitFor(() => attempted.length === 2, { timeoutMs: 30_000, what: 'the two behind the removed head' });
    expect(attempted).toEqual(['next-1', 'next-2']);
    expect(Date.now() - began).toBeLessThan(25_000);
    await waitFor(async () => (await store.orderLine('k-gone')).head === null, { timeoutMs: 5000 });
  }, 60_000);

  it('refuses a request whose line is full, storing nothing, while other keys go on', async () => {
    const key = 'k-full';
    for (let i = 0; i < ORDER_LINE_MAX; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, j) => store.add(job(`full-${i + j}`, key, 3_600_000))));
    }
    expect(await store.orderLine(key)).toMatchObject({ head: { id: 'full-0' }, waiting: ORDER_LINE_MAX - 1 });
    await expect(store.add(job('one-too-many', key))).rejects.toBeInstanceOf(OrderLineFullError);
    expect(await store.stateOf('one-too-many')).toBeUndefined();
    await store.add(job('other-key', 'k-other'));
    expect((await store.orderSummary(10)).busiest[0]).toEqual({ key, waiting: ORDER_LINE_MAX - 1 });
  }, 120_000);
});
