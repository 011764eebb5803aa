import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { deliveryJobId, QUEUES, queueKeys } from '@knocker/keys';
import type { KnockConfig } from '@knocker/protocol';
import { sharedRedisUrl, shardQueues, silentLog, sleep, uniquePrefix, waitFor, type ShardQueues } from '@knocker/test-kit';
import { createRequestStore, type DeliveryJob, type RequestStore } from '../src/index.js';
import { appendRequestLog, requestState } from '../src/store/lifecycle.js';

// The request store's lifecycle on one shard, through its face; the queues are looked at directly.
const prefix = uniquePrefix('lifecycle');
const connections: Redis[] = [];
const opened: Array<{ close(): Promise<void> }> = [];
let queues: ShardQueues;
let store: RequestStore;

function connect(): Redis {
  const redis = new Redis(sharedRedisUrl(), { maxRetriesPerRequest: null });
  connections.push(redis);
  return redis;
}

function storeOf(at = prefix, timeoutMs = 10_000): RequestStore {
  const made = createRequestStore(connect(), { prefix: at, shards: 1, timeoutMs, bounded: false, log: silentLog });
  opened.push(made);
  return made;
}

beforeAll(() => {
  queues = shardQueues(connect(), prefix);
  store = storeOf();
});

afterAll(async () => {
  await queues.delivery.obliterate({ force: true });
  await Promise.allSettled([queues.close(), ...opened.map((o) => o.close())]);
  for (const c of connections) c.disconnect();
});

function job(id: string, host = 'target.example', retries = 0): DeliveryJob {
  const config: KnockConfig = { id, host, scheme: 'http', timeout: 1, retries, backoff_factor: 0, callback: null };
  return { config, method: 'POST', url: `http://${host}/`, headers: [], body: '', acceptedAt: Date.now() };
}

async function add(data: DeliveryJob, into = store, delay?: number) {
  return into.add(delay ? { ...data, notBefore: Date.now() + delay } : data, { checkDuplicate: true });
}

async function stateOf(id: string, q = queues) {
  const stored = await q.delivery.getJob(deliveryJobId(id));
  return stored ? requestState(await stored.getState(), stored.failedReason) : undefined;
}

const claimOf = (id: string) => queueKeys(prefix, QUEUES.delivery).claim(deliveryJobId(id));

describe('addDelivery', () => {
  it('stores a new request and reports a second one with the same id as a duplicate, with the stored data', async () => {
    expect(await add(job('dup-1', 'first.example'))).toEqual({ duplicate: false });
    const again = await add(job('dup-1', 'second.example'));
    expect(again).toMatchObject({ duplicate: true, existing: { config: { id: 'dup-1', host: 'first.example' } } });
    expect(await queues.delivery.getWaitingCount()).toBe(1);
  });

  it('lets exactly one of many concurrent adds of one id through, over several connections', async () => {
    const producers = Array.from({ length: 4 }, () => storeOf());
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) => add(job('race-1', `host-${i}.example`), producers[i % producers.length])),
    );
    const fresh = outcomes.filter((o) => !o.duplicate);
    expect(fresh).toHaveLength(1);
    const hosts = new Set(outcomes.map((o) => (o.duplicate ? o.existing.config.host : undefined)).filter(Boolean));
    expect(hosts.size).toBe(1);
    const stored = await queues.delivery.getJob(deliveryJobId('race-1'));
    expect(hosts.has(stored?.data.config.host)).toBe(true);
  });
});

describe('addDelivery, after a process died holding a claim', () => {
  it('adds the request once the claim expires', async () => {
    const redis = connect();
    await redis.set(claimOf('orphan-claim'), '1', 'PX', 300);
    const started = Date.now();
    expect(await add(job('orphan-claim'))).toEqual({ duplicate: false });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await redis.exists(claimOf('orphan-claim'))).toBe(0);
  });

  it('gives up waiting for a claim after the time it was given, with a 503', async () => {
    await connect().set(claimOf('held-claim'), '1', 'PX', 5000);
    await expect(add(job('held-claim'), storeOf(prefix, 100)))
      .rejects.toMatchObject({ status: 503, code: 'queue_unavailable' });
    expect(await queues.delivery.getJob(deliveryJobId('held-claim'))).toBeUndefined();
  });
});

describe('cancelDelivery', () => {
  it('cancels a waiting or a delayed request, and only once', async () => {
    await add(job('cancel-wait'));
    await add(job('cancel-delayed'), store, 60_000);
    expect(await stateOf('cancel-delayed')).toBe('delayed');
    expect(await store.cancel('cancel-wait')).toBe('cancelled');
    expect(await store.cancel('cancel-delayed')).toBe('cancelled');
    expect(await stateOf('cancel-wait')).toBe('cancelled');
    expect(await stateOf('cancel-delayed')).toBe('cancelled');
    expect(await store.cancel('cancel-wait')).toBe('busy');
    expect(await store.cancel('never-added')).toBe('unknown');
    // Still known: a resend of the id is a duplicate, not a new request.
    expect((await add(job('cancel-wait'))).duplicate).toBe(true);
  });

  it('races workers fairly: a request is either cancelled and never processed, or processed and not cancelled', async () => {
    const racePrefix = uniquePrefix('cancel-race');
    const q = shardQueues(connect(), racePrefix);
    const raceStore = storeOf(racePrefix);
    const processed = new Set<string>();
    const ids = Array.from({ length: 60 }, (_, i) => `c-${i}`);
    for (const id of ids) await add(job(id), raceStore);
    const worker = new Worker<DeliveryJob>(q.delivery.name, async (j) => {
      processed.add(j.data.config.id);
      await sleep(20);
    }, { connection: connect(), prefix: racePrefix, concurrency: 5 });
    try {
      // Cancel while the worker is busy, so that both outcomes happen.
      await waitFor(() => processed.size >= 3, { what: 'the worker to start' });
      const outcomes = await Promise.all(ids.map(async (id) => [id, await raceStore.cancel(id)] as const));
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
    const q = shardQueues(connect(), replayPrefix);
    const replayStore = storeOf(replayPrefix);
    const runs: number[] = [];
    const worker = new Worker<DeliveryJob>(q.delivery.name, async (j) => {
      runs.push((await replayStore.find(j.data.config.id))?.replays ?? -1);
      throw new Error('target down');
    }, { connection: connect(), prefix: replayPrefix });
    try {
      await add(job('replay-1'), replayStore);
      const failed = () => q.delivery.getJob(deliveryJobId('replay-1')).then(async (j) => (await j?.getState()) === 'failed');
      await waitFor(failed, { what: 'the first run to fail' });
      expect(await replayStore.replay('replay-1')).toBe('replayed');
      await waitFor(async () => runs.length === 2 && failed(), { what: 'the replay to fail' });
      expect(runs).toEqual([0, 1]);
      expect((await q.delivery.getJob(deliveryJobId('replay-1')))?.attemptsMade).toBe(1);

      expect(await replayStore.replay('unknown-id')).toBe('unknown');
      await worker.pause();
      await add(job('replay-waiting'), replayStore);
      expect(await replayStore.replay('replay-waiting')).toBe('not-failed');
      await replayStore.cancel('replay-waiting');
      expect(await replayStore.replay('replay-waiting')).toBe('not-failed');
    } finally {
      await worker.close();
      await q.delivery.obliterate({ force: true });
      await q.close();
    }
  });
});

describe('appendRequestLog', () => {
  const limits = { maxLines: 3, maxBytes: 10 };
  // The store's own step, with a clock of the test's: the lines start with their time.
  const shard = () => ({ redis: connections[0]!, keys: queueKeys(prefix, QUEUES.delivery) });

  it("appends time-stamped lines to the request's job log within the bounds", async () => {
    await add(job('log-1'));
    const at = new Date('2030-01-02T03:04:05.006Z');
    expect(await appendRequestLog(shard(), 'log-1', 'héllo', limits, at)).toEqual({ lines: 1 });
    // 6 bytes used (é is two); 5 more would pass 10.
    expect(await appendRequestLog(shard(), 'log-1', '12345', limits, at)).toBe('too-large');
    expect(await appendRequestLog(shard(), 'log-1', '1234', limits, at)).toEqual({ lines: 2 });
    expect(await appendRequestLog(shard(), 'log-1', '', limits, at)).toEqual({ lines: 3 });
    expect(await appendRequestLog(shard(), 'log-1', '', limits, at)).toBe('too-many-lines');
    const { logs } = await queues.delivery.getJobLogs(deliveryJobId('log-1'));
    expect(logs).toEqual(['2030-01-02T03:04:05.006Z héllo', '2030-01-02T03:04:05.006Z 1234', '2030-01-02T03:04:05.006Z ']);
  });

  it('refuses a line for an unknown request', async () => {
    expect(await store.appendLog('nobody', 'x', limits)).toBe('unknown');
    expect(await connections[0]!.exists(queueKeys(prefix, QUEUES.delivery).logs(deliveryJobId('nobody')))).toBe(0);
    // BullMQ's own name for the job and its log: the key module must agree with it.
    expect(queueKeys(prefix, QUEUES.delivery).job('j')).toBe(queues.delivery.toKey('j'));
    expect(queueKeys(prefix, QUEUES.delivery).logs('j')).toBe(`${queues.delivery.toKey('j')}:logs`);
  });
});
