import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { sharedRedisUrl, sleep, uniquePrefix } from '@knocker/test-kit';
import { createSchedules, type Schedule, type Schedules } from '../src/index.js';

// Three api replicas, each with its own connection, change one schedule at the same time.
const retention = { completed: { count: 100, age: 3600 }, failed: { count: 100, age: 3600 } };
const connections: Redis[] = [];
let replicas: Schedules[];

beforeAll(() => {
  const prefix = uniquePrefix('schedules');
  replicas = Array.from({ length: 3 }, () => {
    const redis = new Redis(sharedRedisUrl(), { maxRetriesPerRequest: null });
    connections.push(redis);
    return createSchedules(redis, prefix, retention);
  });
});
afterAll(async () => {
  await replicas[0]?.queue.obliterate({ force: true });
  await Promise.allSettled(replicas.map((r) => r.close()));
  for (const c of connections) c.disconnect();
});

const scheduleOf = (id: string, minute: number): Schedule => ({
  id, cron: `${minute} * * * *`, pattern: `${minute} * * * *`, timezone: 'UTC', createdAt: Date.now(), updatedAt: Date.now(),
  request: {
    config: { id, host: 'example.com', scheme: 'https', timeout: 10, retries: 0, backoff_factor: 0, callback: null },
    method: 'POST', url: 'https://example.com/', headers: [], body: '',
  },
});
const jitter = () => sleep(Math.floor(Math.random() * 4));

/** Whether the schedule's definition says it ticks, and whether a job scheduler makes it tick. */
async function agreement(id: string): Promise<{ ticks: boolean; scheduled: boolean; pattern?: string }> {
  const [def, scheduler] = await Promise.all([replicas[0]!.get(id), replicas[0]!.queue.getJobScheduler(id)]);
  return { ticks: def?.state === 'active', scheduled: scheduler !== undefined && scheduler !== null, pattern: scheduler?.pattern ?? undefined };
}

describe('a schedule saved and removed at once by several replicas', () => {
  it('ends with its definition and its job scheduler, or with neither', async () => {
    const mismatches: string[] = [];
    for (let round = 0; round < 60; round += 1) {
      const id = 'raced';
      await Promise.all([
        ...replicas.map(async (r, i) => { await jitter(); await r.save(scheduleOf(id, (round + i) % 60), 100); }),
        ...replicas.map(async (r) => { await jitter(); await r.remove(id); }),
      ]);
      const seen = await agreement(id);
      if (seen.ticks !== seen.scheduled) mismatches.push(`round ${round}: ${JSON.stringify(seen)}`);
      // What remains is what the definition says.
      if (seen.ticks) expect(seen.pattern).toBe((await replicas[0]!.get(id))!.pattern);
    }
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('ends with no job scheduler while paused, whatever was saved meanwhile', async () => {
    const mismatches: string[] = [];
    for (let round = 0; round < 40; round += 1) {
      const id = 'paused-race';
      await replicas[0]!.save(scheduleOf(id, 1), 100);
      await Promise.all([
        (async () => { await jitter(); await replicas[1]!.save(scheduleOf(id, 2), 100); })(),
        (async () => { await jitter(); await replicas[2]!.setState(id, round % 2 === 0 ? 'paused' : 'active'); })(),
        (async () => { await jitter(); await replicas[0]!.setState(id, round % 3 === 0 ? 'active' : 'paused'); })(),
      ]);
      const seen = await agreement(id);
      if (seen.ticks !== seen.scheduled) mismatches.push(`round ${round}: ${JSON.stringify(seen)}`);
      await replicas[0]!.remove(id);
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});
