import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { Redis } from 'ioredis';
import { request, sleep, startApi, startRedis, uniquePrefix, type ApiProcess, type HttpReply, type RedisServer } from '@knocker/test-kit';

// A Redis of our own, paused so that answers are slow while the api's event loop is idle: the
// overload MAX_ANSWER_DELAY_MS sees and MAX_EVENT_LOOP_DELAY_MS (off here) does not.
let redis: RedisServer;
let admin: Redis;
let shedding: ApiProcess;
let patient: ApiProcess;
const prefix = uniquePrefix('shedding');
// The standing queue below stands only while the clients stay in step with Redis' stalls; on a
// loaded machine they can drift apart, each short wait resets the judgement, and nothing is
// refused. Such a run says nothing about the shedder, so it is tried again (logged), twice at most.
jest.retryTimes(2, { logErrorsBeforeRetry: true });

beforeAll(async () => {
  redis = await startRedis();
  admin = new Redis(redis.url);
  const env = { MAX_EVENT_LOOP_DELAY_MS: '0', REDIS_TIMEOUT_MS: '5000' };
  [shedding, patient] = await Promise.all([
    startApi({ redisUrl: redis.url, prefix, env }),
    startApi({ redisUrl: redis.url, prefix, env: { ...env, MAX_ANSWER_DELAY_MS: '0' } }),
  ]);
});

afterAll(async () => {
  admin?.disconnect();
  await Promise.all([shedding?.kill(), patient?.kill()]);
  await redis?.stop();
});

const knock = (api: ApiProcess) => request(`${api.url}/x`, { method: 'POST', headers: { 'Knocker-Host': 'target.example' }, body: 'hello', timeoutMs: 10_000 });
const stored = async () => Number(await admin.llen(`${prefix}:deliveries:wait`));

/** `n` requests at once while Redis is paused for `pauseMs`. */
async function burstWhilePaused(api: ApiProcess, n: number, pauseMs: number): Promise<HttpReply[]> {
  redis.pause();
  try {
    const replies = Promise.all(Array.from({ length: n }, () => knock(api)));
    await sleep(pauseMs);
    redis.resume();
    return await replies;
  } finally {
    redis.resume();
  }
}

/**
 * A queue that stands: `clients` clients send one request after another for `ms`, while Redis
 * runs only 20 ms in every 220, so every answer waits. A refused client waits 50 ms, as one
 * that honours Retry-After would wait longer; that bounds the requests to a few thousand.
 */
async function standingLoad(api: ApiProcess, clients: number, ms: number): Promise<HttpReply[]> {
  const replies: HttpReply[] = [];
  const until = Date.now() + ms;
  let running = true;
  const stalls = (async () => {
    while (running) {
      redis.pause();
      await sleep(200);
      redis.resume();
      await sleep(20);
    }
  })();
  try {
    await Promise.all(Array.from({ length: clients }, async () => {
      while (Date.now() < until) {
        const reply = await knock(api);
        replies.push(reply);
        if (reply.status !== 200) await sleep(50);
      }
    }));
  } finally {
    running = false;
    await stalls;
    redis.resume();
  }
  return replies;
}

describe('load shedding on slow answers (MAX_ANSWER_DELAY_MS)', () => {
  it('lets a burst in whole though each of its requests waits for Redis, storing all of it', async () => {
    const before = await stored();
    // 170 requests in two waves, each answered hundreds of ms late: a burst, not a standing queue.
    const first = await burstWhilePaused(shedding, 70, 400);
    await sleep(150);
    const second = await burstWhilePaused(shedding, 100, 600);
    expect([...first, ...second].map((r) => r.status)).toEqual(Array(170).fill(200));
    expect(await stored()).toBe(before + 170);
  }, 30_000);

  it('refuses with 503 and Retry-After while a queue stands, storing every request it accepted', async () => {
    const before = await stored();
    const replies = await standingLoad(shedding, 120, 4_000);
    const accepted = replies.filter((r) => r.status === 200);
    const refused = replies.filter((r) => r.status !== 200);
    console.log(`a standing queue: ${replies.length} requests, ${accepted.length} accepted, ${refused.length} refused`);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.status).toBe(503);
      expect(r.headers['retry-after']).toBe('1');
      expect(r.json()).toEqual({ status: false, code: 'overloaded', errors: { server: [expect.stringMatching(/answers took at least \d+ ms for 100 ms, MAX_ANSWER_DELAY_MS/)] } });
    }
    expect(await stored()).toBe(before + accepted.length);
  }, 60_000);

  it('with MAX_ANSWER_DELAY_MS=0 lets every request wait instead', async () => {
    const before = await stored();
    const replies = await standingLoad(patient, 120, 4_000);
    expect(replies.filter((r) => r.status !== 200)).toEqual([]);
    expect(await stored()).toBe(before + replies.length);
  }, 60_000);
});
