import { describe, expect, it } from '@jest/globals';
import { request, sleep, startApi, startWorker, uniquePrefix, waitFor, type KnockerProcess, type Recorded } from '@knocker/test-kit';
import { useOwnRedis } from './own-redis.js';

const ADMIN_KEY = 'admin-key-for-tests-0123456789';
const EVERY_2S = '*/2 * * * * *';

const suite = useOwnRedis();
const { children } = suite;

interface Knocker {
  api: KnockerProcess;
  worker: KnockerProcess;
  opts: { redisUrl: string; prefix: string; env: Record<string, string> };
}

async function start(name: string, env: Record<string, string> = {}): Promise<Knocker> {
  const opts = { redisUrl: suite.redis.url, prefix: uniquePrefix(name), env: { ADMIN_API_KEY: ADMIN_KEY, ...env } };
  const [api, worker] = await Promise.all([startApi(opts), startWorker(opts)]);
  children.push(api, worker);
  return { api, worker, opts };
}

const target = () => suite.target();

const schedule = (apiUrl: string, headers: Record<string, string>, body = 'tick') =>
  request(`${apiUrl}/cron/hook?x=1`, { method: 'PUT', headers: { 'Content-Type': 'text/plain', ...headers }, body });
const admin = (apiUrl: string, method: string, path: string) =>
  request(`${apiUrl}/knocker/schedules${path}`, { method, headers: { 'Knocker-Admin-Key': ADMIN_KEY } });
const idOf = (r: Recorded) => String(r.headers['x-knocker-id']);
const dueOf = (r: Recorded) => Number(idOf(r).split('@')[1]);
const settle = () => sleep(1500);

describe('Knocker-Cron', () => {
  it('relays the request at every tick, each tick a request of its own', async () => {
    const { api, worker } = await start('cron-ticks');
    const t = await target();
    const res = await schedule(api.url, { 'Knocker-Host': t.host, 'Knocker-Cron': EVERY_2S, 'Knocker-Id': 'every-2s', 'X-Custom': 'kept' });
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({
      status: true, schedule: { id: 'every-2s', cron: EVERY_2S, timezone: 'UTC', state: 'active' },
      url: `http://${t.host}/cron/hook?x=1`, method: 'PUT', 'body-length': 4,
    });
    expect(Date.parse(body.schedule.next)).toBeGreaterThan(Date.now() - 2000);

    const seen = await t.waitForRequests(3, 20_000);
    const ids = seen.map(idOf);
    expect(new Set(ids).size).toBe(ids.length);
    for (const r of seen) {
      expect(idOf(r)).toMatch(/^every-2s@\d{13}$/);
      expect(dueOf(r) % 2000).toBe(0);
      expect(r.at).toBeGreaterThanOrEqual(dueOf(r));
      expect({ method: r.method, url: r.url, body: r.body.toString(), custom: r.headers['x-custom'] }).toEqual({ method: 'PUT', url: '/cron/hook?x=1', body: 'tick', custom: 'kept' });
    }

    const one = (await admin(api.url, 'GET', '/every-2s')).json();
    expect(one.schedule).toMatchObject({ id: 'every-2s', state: 'active', method: 'PUT' });
    expect(one.schedule.next_ticks).toHaveLength(5);
    expect(one.last_requests.map((r: { id: string }) => r.id)).toEqual(expect.arrayContaining(ids.slice(0, 2)));
    const tick = await request(`${api.url}/knocker/requests/${encodeURIComponent(ids[0]!)}`, { headers: { 'Knocker-Admin-Key': ADMIN_KEY } });
    expect(tick.json()).toMatchObject({ state: 'delivered', method: 'PUT', config: { id: ids[0] } });
    expect((await admin(api.url, 'GET', '')).json().schedules).toEqual([expect.objectContaining({ id: 'every-2s', cron: EVERY_2S })]);

    const status = (await request(`${api.url}/knocker/status`)).json();
    expect(status.schedules).toEqual({ active: 1, paused: 0 });
    const metrics = (await request(`${worker.url}/metrics`)).body.toString();
    expect(metrics).toMatch(/knocker_schedule_ticks_total\{outcome="fired"\} [1-9]/);
    await waitFor(async () => /knocker_schedules\{state="active"\} 1/.test((await request(`${worker.url}/metrics`)).body.toString()), { what: 'the schedules gauge' });
  }, 90_000);

  it('replaces a schedule sent again with its Knocker-Id, pauses, resumes and deletes it', async () => {
    const { api } = await start('cron-update');
    const t = await target();
    await schedule(api.url, { 'Knocker-Host': t.host, 'Knocker-Cron': EVERY_2S, 'Knocker-Id': 'job' }, 'v1');
    await t.waitForRequests(1, 15_000);

    const again = await schedule(api.url, { 'Knocker-Host': t.host, 'Knocker-Cron': `CRON_TZ=Europe/Paris ${EVERY_2S}`, 'Knocker-Id': 'job' }, 'v2');
    expect(again.json()).toMatchObject({ replaced: true, schedule: { id: 'job', timezone: 'Europe/Paris' } });
    const n = t.requests.length;
    await t.waitForRequests(n + 1, 15_000);
    // A tick may have been on its way while the update was stored; the one after it is new.
    await t.waitForRequests(n + 2, 15_000);
    expect(t.requests.at(-1)!.body.toString()).toBe('v2');
    expect((await admin(api.url, 'GET', '')).json().schedules).toHaveLength(1);

    expect((await admin(api.url, 'POST', '/job/pause')).json()).toEqual({ status: true, id: 'job', state: 'paused', next: null });
    await settle();
    const paused = t.requests.length;
    await sleep(4500);
    expect(t.requests).toHaveLength(paused);
    expect((await admin(api.url, 'GET', '/job')).json().schedule).toMatchObject({ state: 'paused', next: null, next_ticks: [] });

    const resumed = (await admin(api.url, 'POST', '/job/resume')).json();
    expect(resumed).toMatchObject({ status: true, id: 'job', state: 'active', next: expect.any(String) });
    await t.waitForRequests(paused + 1, 15_000);

    expect((await admin(api.url, 'DELETE', '/job')).json()).toEqual({ status: true, id: 'job', state: 'deleted' });
    await settle();
    const deleted = t.requests.length;
    await sleep(4500);
    expect(t.requests).toHaveLength(deleted);
    expect((await admin(api.url, 'GET', '/job')).status).toBe(404);
    expect((await admin(api.url, 'DELETE', '/job')).status).toBe(404);
  }, 120_000);

  it('runs a tick missed while no worker ran once when one starts, not once per missed tick', async () => {
    const { api, worker, opts } = await start('cron-missed');
    const t = await target();
    await schedule(api.url, { 'Knocker-Host': t.host, 'Knocker-Cron': EVERY_2S });
    await t.waitForRequests(1, 15_000);
    await worker.kill('SIGTERM');
    const stoppedAt = Date.now();
    await sleep(8000);
    const before = t.requests.length;
    const restartedAt = Date.now();
    children.push(await startWorker(opts));
    await t.waitForRequests(before + 3, 20_000);

    // About four ticks fell due while no worker ran: the first is run, late, the others never.
    const missed = t.requests.filter((r) => dueOf(r) > stoppedAt && dueOf(r) < restartedAt);
    expect(missed).toHaveLength(1);
    expect(missed[0]!.at).toBeGreaterThanOrEqual(restartedAt);
    const dues = t.requests.map(dueOf);
    expect(new Set(dues).size).toBe(dues.length);
  }, 90_000);

  it('keeps firing after a restart of the api, the workers and Redis', async () => {
    const { api, worker, opts } = await start('cron-restart');
    const t = await target();
    await schedule(api.url, { 'Knocker-Host': t.host, 'Knocker-Cron': EVERY_2S, 'Knocker-Id': 'durable' });
    await t.waitForRequests(1, 15_000);
    await Promise.all([api.kill('SIGKILL'), worker.kill('SIGKILL')]);
    await suite.redis.kill('SIGKILL');
    await suite.redis.restart();
    const restartedAt = Date.now();
    const [api2] = await Promise.all([startApi(opts), startWorker(opts)]).then((started) => {
      children.push(...started);
      return started;
    });
    await waitFor(() => t.requests.filter((r) => dueOf(r) > restartedAt).length >= 2 || undefined, { what: 'ticks after the restart', timeoutMs: 20_000 });
    expect((await admin(api2.url, 'GET', '/durable')).json().schedule).toMatchObject({ id: 'durable', state: 'active' });
  }, 90_000);
});
