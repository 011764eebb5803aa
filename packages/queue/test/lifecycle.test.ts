import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import type { KnockConfig } from '@knocker/protocol';
import { sharedRedisUrl, sleep, uniquePrefix, waitFor } from '@knocker/test-kit';
import {
  addDelivery, appendRequestLog, cancelDelivery, createQueues, deliveryJobId, deliveryJobOptions, replayDelivery, replaysOf, requestState,
  type DeliveryJob, type Queues,
} from '../src/index.js';

const prefix = uniquePrefix('lifecycle');
const connections: Redis[] = [];
let queues: Queues;

function connect(): Redis {
  const redis = new Redis(sharedRedisUrl(), { maxRetriesPerRequest: null });
  connections.push(redis);
  return redis;
}

beforeAll(() => {
  queues = createQueues(connect(), prefix);
});

afterAll(async () => {
  await queues.delivery.obliterate({ force: true });
  await queues.close();
  for (const c of connections) c.disconnect();
});

function job(id: string, host = 'target.example', retries = 0): DeliveryJob {
  const config: KnockConfig = { id, host, scheme: 'http', timeout: 1, retries, backoff_factor: 0, callback: null };
  return { config, method: 'POST', url: `http://${host}/`, headers: [], body: '', acceptedAt: Date.now() };
}

async function add(data: DeliveryJob, q = queues, delay?: number) {
  return addDelivery(q.redis, q.delivery, 'POST', data, { ...deliveryJobOptions(data.config), ...(delay ? { delay } : {}) });
}

async function stateOf(id: string) {
  const stored = await queues.delivery.getJob(deliveryJobId(id));
  return stored ? requestState(await stored.getState(), stored.failedReason) : undefined;
}

describe('addDelivery', () => {
  it('stores a new request and reports a second one with the same id as a duplicate, with the stored data', async () => {
    expect(await add(job('dup-1', 'first.example'))).toEqual({ duplicate: false });
    const again = await add(job('dup-1', 'second.example'));
    expect(again).toMatchObject({ duplicate: true, existing: { config: { id: 'dup-1', host: 'first.example' } } });
    expect(await queues.delivery.getWaitingCount()).toBe(1);
  });

  it('lets exactly one of many concurrent adds of one id through, over several connections', async () => {
    const producers = Array.from({ length: 4 }, () => createQueues(connect(), prefix));
    try {
      const outcomes = await Promise.all(
        Array.from({ length: 40 }, (_, i) => add(job('race-1', `host-${i}.example`), producers[i % producers.length])),
      );
      const fresh = outcomes.filter((o) => !o.duplicate);
      expect(fresh).toHaveLength(1);
      const hosts = new Set(outcomes.map((o) => (o.duplicate ? o.existing.config.host : undefined)).filter(Boolean));
      expect(hosts.size).toBe(1);
      const stored = await queues.delivery.getJob(deliveryJobId('race-1'));
      expect(hosts.has(stored?.data.config.host)).toBe(true);
    } finally {
      await Promise.all(producers.map((p) => p.delivery.close()));
    }
  });
});

describe('addDelivery, after a process died holding a claim', () => {
  it('adds the request once the claim expires', async () => {
    const key = queues.delivery.toKey(deliveryJobId('orphan-claim'));
    await queues.redis.set(`${key}:adding`, '1', 'PX', 300);
    const started = Date.now();
    expect(await add(job('orphan-claim'))).toEqual({ duplicate: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await queues.redis.exists(`${key}:adding`)).toBe(0);
  });

  it('gives up waiting for a claim after the time it was given, with a 503', async () => {
    const key = queues.delivery.toKey(deliveryJobId('held-claim'));
    await queues.redis.set(`${key}:adding`, '1', 'PX', 5000);
    const data = job('held-claim');
    await expect(addDelivery(queues.redis, queues.delivery, 'POST', data, deliveryJobOptions(data.config), 100))
      .rejects.toMatchObject({ status: 503, code: 'queue_unavailable' });
    expect(await queues.delivery.getJob(deliveryJobId('held-claim'))).toBeUndefined();
  });
});

describe('cancelDelivery', () => {
  it('cancels a waiting or a delayed request, and only once', async () => {
    await add(job('cancel-wait'));
    await add(job('cancel-delayed'), queues, 60_000);
    expect(await stateOf('cancel-delayed')).toBe('delayed');
    expect(await cancelDelivery(queues.redis, queues.delivery, 'cancel-wait')).toBe('cancelled');
    expect(await cancelDelivery(queues.redis, queues.delivery, 'cancel-delayed')).toBe('cancelled');
    expect(await stateOf('cancel-wait')).toBe('cancelled');
    expect(await stateOf('cancel-delayed')).toBe('cancelled');
    expect(await cancelDelivery(queues.redis, queues.delivery, 'cancel-wait')).toBe('busy');
    expect(await cancelDelivery(queues.redis, queues.delivery, 'never-added')).toBe('unknown');
    // Still known: a resend of the id is a duplicate, not a new request.
    expect((await add(job('cancel-wait'))).duplicate).toBe(true);
  });

  it('races workers fairly: a request is either cancelled and never processed, or processed and not cancelled', async () => {
    const racePrefix = uniquePrefix('cancel-race');
    const q = createQueues(connect(), racePrefix);
    const processed = new Set<string>();
    const ids = Array.from({ length: 60 }, (_, i) => `c-${i}`);
    for (const id of ids) await add(job(id), q);
    const worker = new Worker<DeliveryJob>(q.delivery.name, async (j) => {
      processed.add(j.data.config.id);
      await sleep(20);
    }, { connection: connect(), prefix: racePrefix, concurrency: 5 });
    try {
      // Cancel while the worker is busy, so that both outcomes happen.
      await waitFor(() => processed.size >= 3, { what: 'the worker to start' });
      const outcomes = await Promise.all(ids.map(async (id) => [id, await cancelDelivery(q.redis, q.delivery, id)] as const));
      expect(new Set(outcomes.map(([, o]) => o))).toEqual(new Set(['cancelled', 'busy']));
      await waitFor(async () => (await q.delivery.getWaitingCount()) + (await q.delivery.getActiveCount()) === 0, { what: 'the queue to drain' });
      for (const [id, outcome] of outcomes) {
        const stored = await q.delivery.getJob(deliveryJobId(id));
        const state = requestState(await stored!.getState(), stored!.failedReason);
        if (outcome === 'cancelled') {
          expect([id, state, processed.has(id)]).toEqual([id, 'cancelled', false]);
        } else {
          expect([id, outcome, state, processed.has(id)]).toEqual([id, 'busy', 'delivered', true]);
        }
      }
    } finally {
      await worker.close();
      await q.delivery.obliterate({ force: true });
      await q.close();
    }
  });
});

describe('replayDelivery', () => {
  it('runs a failed request again, counts its replays, and refuses any other state', async () => {
    const replayPrefix = uniquePrefix('replay');
    const q = createQueues(connect(), replayPrefix);
    const runs: number[] = [];
    const worker = new Worker<DeliveryJob>(q.delivery.name, async (j) => {
      runs.push(await replaysOf(q.redis, q.delivery, j.data.config.id));
      throw new Error('target down');
    }, { connection: connect(), prefix: replayPrefix });
    try {
      await add(job('replay-1'), q);
      const failed = () => q.delivery.getJob(deliveryJobId('replay-1')).then(async (j) => (await j?.getState()) === 'failed');
      await waitFor(failed, { what: 'the first run to fail' });
      expect(await replayDelivery(q.redis, q.delivery, 'replay-1')).toBe('replayed');
      await waitFor(async () => runs.length === 2 && failed(), { what: 'the replay to fail' });
      expect(runs).toEqual([0, 1]);
      expect((await q.delivery.getJob(deliveryJobId('replay-1')))?.attemptsMade).toBe(1);

      expect(await replayDelivery(q.redis, q.delivery, 'unknown-id')).toBe('unknown');
      await worker.pause();
      await add(job('replay-waiting'), q);
      expect(await replayDelivery(q.redis, q.delivery, 'replay-waiting')).toBe('not-failed');
      await cancelDelivery(q.redis, q.delivery, 'replay-waiting');
      expect(await replayDelivery(q.redis, q.delivery, 'replay-waiting')).toBe('not-failed');
    } finally {
      await worker.close();
      await q.delivery.obliterate({ force: true });
      await q.close();
    }
  });
});

describe('appendRequestLog', () => {
  const limits = { maxLines: 3, maxBytes: 10 };

  it("appends time-stamped lines to the request's job log within the bounds", async () => {
    await add(job('log-1'));
    const at = new Date('2030-01-02T03:04:05.006Z');
    expect(await appendRequestLog(queues.redis, queues.delivery, 'log-1', 'héllo', limits, at)).toEqual({ lines: 1 });
    // 6 bytes used (é is two); 5 more would pass 10.
    expect(await appendRequestLog(queues.redis, queues.delivery, 'log-1', '12345', limits, at)).toBe('too-large');
    expect(await appendRequestLog(queues.redis, queues.delivery, 'log-1', '1234', limits, at)).toEqual({ lines: 2 });
    expect(await appendRequestLog(queues.redis, queues.delivery, 'log-1', '', limits, at)).toEqual({ lines: 3 });
    expect(await appendRequestLog(queues.redis, queues.delivery, 'log-1', '', limits, at)).toBe('too-many-lines');
    const { logs } = await queues.delivery.getJobLogs(deliveryJobId('log-1'));
    expect(logs).toEqual(['2030-01-02T03:04:05.006Z héllo', '2030-01-02T03:04:05.006Z 1234', '2030-01-02T03:04:05.006Z ']);
  });

  it('refuses a line for an unknown request', async () => {
    expect(await appendRequestLog(queues.redis, queues.delivery, 'nobody', 'x', limits)).toBe('unknown');
    expect(await queues.redis.exists(`${queues.delivery.toKey(deliveryJobId('nobody'))}:logs`)).toBe(0);
  });
});
