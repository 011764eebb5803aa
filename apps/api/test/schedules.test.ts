import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { createSchedules, type Schedules } from '@knocker/queue';
import { request, sharedRedisUrl, startApi, uniquePrefix, type ApiProcess } from '@knocker/test-kit';

const ADMIN_KEY = 'admin-key-for-tests-0123456789';
const prefix = uniquePrefix('schedules');
let api: ApiProcess;
let off: ApiProcess;
let redis: Redis;
let schedules: Schedules;

beforeAll(async () => {
  [api, off] = await Promise.all([
    startApi({ redisUrl: sharedRedisUrl(), prefix, env: { ADMIN_API_KEY: ADMIN_KEY, SCHEDULES_MAX: '2', BOARD_USER: 'ops', BOARD_PASSWORD: 'board-password' } }),
    startApi({ redisUrl: sharedRedisUrl(), prefix: uniquePrefix('schedules-off'), env: { SCHEDULES_MAX: '0' } }),
  ]);
  redis = new Redis(sharedRedisUrl(), { maxRetriesPerRequest: null });
  schedules = createSchedules(redis, prefix, { completed: { count: 1, age: 1 }, failed: { count: 1, age: 1 } });
});

afterAll(async () => {
  await Promise.all([api?.kill(), off?.kill()]);
  await schedules?.queue.obliterate({ force: true });
  await redis?.del(schedules.queue.toKey('knocker-definitions'), schedules.queue.toKey('knocker-paused'));
  await schedules?.close();
  redis?.disconnect();
});

const cron = (url: string, headers: Record<string, string>) =>
  request(`${url}/hook`, { method: 'POST', headers: { 'Knocker-Host': '127.0.0.1:9', ...headers }, body: '{}' });
const admin = (method: string, path: string, key: string | null = ADMIN_KEY) =>
  request(`${api.url}/knocker/schedules${path}`, { method, headers: key === null ? {} : { 'Knocker-Admin-Key': key } });

describe('schedules at the api', () => {
  it('stores at most SCHEDULES_MAX, answers 409 over it, and replaces one in place at the bound', async () => {
    const a = await cron(api.url, { 'Knocker-Cron': '0 9 * * MON', 'Knocker-Id': 'a' });
    expect(a.status).toBe(200);
    expect(a.json().schedule).toEqual({ id: 'a', cron: '0 9 * * MON', timezone: 'UTC', next: expect.stringMatching(/T09:00:00\.000Z$/), state: 'active' });
    const b = (await cron(api.url, { 'Knocker-Cron': 'CRON_TZ=America/New_York 30 8 1 * *' })).json();
    expect(b.schedule).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{32}$/), timezone: 'America/New_York' });
    expect(await schedules.get(b.schedule.id)).toMatchObject({ pattern: '30 8 1 * *', state: 'active' });

    const c = await cron(api.url, { 'Knocker-Cron': '* * * * *', 'Knocker-Id': 'c' });
    expect(c.status).toBe(409);
    expect(c.json()).toEqual({ status: false, code: 'schedules_full', errors: { 'knocker-cron': [expect.stringMatching(/2 schedules exist already \(SCHEDULES_MAX\)/)] } });
    expect((await cron(api.url, { 'Knocker-Cron': '5 9 * * MON', 'Knocker-Id': 'a' })).json()).toMatchObject({ replaced: true, schedule: { id: 'a' } });
    expect((await admin('GET', '')).json().schedules.map((s: { id: string }) => s.id).sort()).toEqual(['a', b.schedule.id].sort());

    expect((await admin('DELETE', '/a')).status).toBe(200);
    expect((await cron(api.url, { 'Knocker-Cron': '* * * * *', 'Knocker-Id': 'c' })).status).toBe(200);
  });

  it('refuses bad values with a 400 naming the header', async () => {
    for (const [headers, field, problem] of [
      [{ 'Knocker-Cron': 'every hour' }, 'knocker-cron', /5 fields/],
      [{ 'Knocker-Cron': '61 * * * *' }, 'knocker-cron', /not a valid cron expression/],
      [{ 'Knocker-Cron': 'CRON_TZ=Nowhere/Town * * * * *' }, 'knocker-cron', /unknown time zone/],
      [{ 'Knocker-Cron': '* * * * *', 'Knocker-Delay': '10' }, 'knocker-cron', /cannot be combined/],
      [{ 'Knocker-Cron': '* * * * *', 'Knocker-Id': 'x'.repeat(115) }, 'knocker-id', /at most 114 characters/],
    ] as const) {
      const res = await cron(api.url, headers);
      expect(res.status).toBe(400);
      expect(res.json().errors[field][0]).toMatch(problem);
    }
  });

  it('shows the ticks of schedules in Bull Board, in a queue of their own', async () => {
    const res = await request(`${api.url}/admin/queues/api/queues`, { headers: { Authorization: `Basic ${Buffer.from('ops:board-password').toString('base64')}` } });
    expect(res.status).toBe(200);
    const queues = res.json().queues as Array<{ name: string; counts: Record<string, number> }>;
    expect(queues.map((q) => q.name)).toEqual(['deliveries', 'callbacks', 'schedules']);
    expect(queues[2]!.counts.delayed).toBeGreaterThanOrEqual(1);
  });

  it('refuses every schedule when SCHEDULES_MAX is 0', async () => {
    const res = await cron(off.url, { 'Knocker-Cron': '* * * * *' });
    expect(res.status).toBe(409);
    expect(res.json().errors['knocker-cron'][0]).toMatch(/SCHEDULES_MAX=0/);
  });

  it('guards the admin routes with the admin key and names unknown schedules and routes', async () => {
    expect((await admin('GET', '', null)).status).toBe(401);
    expect((await admin('POST', '/c/pause', 'wrong-key-0123456789')).status).toBe(401);
    expect((await admin('GET', '/nope')).json()).toEqual({ status: false, code: 'not_found', errors: { id: ['no schedule "nope" is known'] } });
    for (const path of ['/nope/pause', '/nope/resume']) expect((await admin('POST', path)).status).toBe(404);
    expect((await admin('PUT', '/c')).status).toBe(405);
    expect((await admin('GET', '/c/pause')).status).toBe(405);
    expect((await admin('GET', '/c/other/thing')).status).toBe(404);
    expect((await admin('GET', '/%20bad')).status).toBe(400);
  });
});
