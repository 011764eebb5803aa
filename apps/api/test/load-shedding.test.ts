import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { request, sleep, startApi, startRedis, uniquePrefix, type ApiProcess, type HttpReply, type RedisServer } from '@knocker/test-kit';

// A Redis of our own, paused so that answers are slow while the api's event loop is idle: the
// overload MAX_ANSWER_DELAY_MS sees and MAX_EVENT_LOOP_DELAY_MS (off here) does not.
let redis: RedisServer;
let admin: Redis;
let shedding: ApiProcess;
let patient: ApiProcess;
const prefix = uniquePrefix('shedding');

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

describe('load shedding on slow answers (MAX_ANSWER_DELAY_MS)', () => {
  it('refuses at once with 503 and Retry-After after a window of slow answers, storing every request it accepted', async () => {
    const before = await stored();
    // Slow answers: each waits for the paused Redis.
    const slow = await burstWhilePaused(shedding, 70, 400);
    expect(slow.map((r) => r.status)).toEqual(Array(70).fill(200));
    // The guard judges by the last 100 ms window; this one held the slow answers.
    await sleep(150);
    const next = await burstWhilePaused(shedding, 100, 600);
    const accepted = next.filter((r) => r.status === 200);
    const refused = next.filter((r) => r.status !== 200);
    // Below 64 under way nothing is refused; past it, the slow window sheds.
    expect(accepted.length).toBeGreaterThanOrEqual(64);
    expect(refused.length).toBeGreaterThan(0);
    for (const r of refused) {
      expect(r.status).toBe(503);
      expect(r.headers['retry-after']).toBe('1');
      expect(r.json()).toEqual({ status: false, code: 'overloaded', errors: { server: expect.stringMatching(/answers took \d+ ms on average, MAX_ANSWER_DELAY_MS/) } });
      // Answered while Redis was still paused: refused at the door, not after waiting in line.
      expect(r.ms).toBeLessThan(500);
    }
    expect(await stored()).toBe(before + 70 + accepted.length);
  }, 30_000);

  it('with MAX_ANSWER_DELAY_MS=0 lets every request wait instead', async () => {
    const before = await stored();
    await burstWhilePaused(patient, 70, 400);
    await sleep(150);
    const next = await burstWhilePaused(patient, 100, 600);
    expect(next.map((r) => r.status)).toEqual(Array(100).fill(200));
    expect(await stored()).toBe(before + 170);
  }, 30_000);
});
