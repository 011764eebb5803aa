import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { startRedis, uniquePrefix, type RedisServer } from '@knocker/test-kit';

// BullMQ is patched (patches/bullmq@6.7.0.patch) to promote at most 100 due retries per script
// call instead of 1,000: a whole backlog coming due at once then cannot hold Redis, and every
// command queued behind it on a worker's connection, for more than a few ms per call. If the
// patch is lost (a BullMQ upgrade, an install that skips it) this test sees 1,000 again.
const PROMOTED_PER_CALL = 100;
const DUE = 250;

let server: RedisServer;
let redis: Redis;
let queue: Queue;
let worker: Worker;
const prefix = uniquePrefix('promotion');

beforeAll(async () => {
  server = await startRedis({ appendonly: false });
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
  queue = new Queue('promotion', { connection: redis, prefix });
  worker = new Worker('promotion', null, { connection: redis, prefix, autorun: false });
});
afterAll(async () => {
  await worker?.close();
  await queue?.close();
  redis?.disconnect();
  await server?.stop();
});

describe('promotion of due retries', () => {
  it('moves a bounded batch per script call, and the rest on later calls', async () => {
    await queue.addBulk(Array.from({ length: DUE }, (_, i) => ({ name: `r${i}`, data: {}, opts: { delay: 1 } })));
    await new Promise((r) => setTimeout(r, 20));
    expect(await queue.getDelayedCount()).toBe(DUE);

    const first = await worker.getNextJob('token-1', { block: false });
    expect(first).toBeDefined();
    expect(await queue.getDelayedCount()).toBe(DUE - PROMOTED_PER_CALL);

    await worker.getNextJob('token-2', { block: false });
    expect(await queue.getDelayedCount()).toBe(DUE - 2 * PROMOTED_PER_CALL);
    const counts = await queue.getJobCounts('wait', 'active', 'prioritized');
    expect((counts.wait ?? 0) + (counts.active ?? 0) + (counts.prioritized ?? 0)).toBe(2 * PROMOTED_PER_CALL);
  });
});
