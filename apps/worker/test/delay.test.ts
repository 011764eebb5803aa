import { describe, expect, it } from '@jest/globals';
import { request, sleep, startApi, startWorker, uniquePrefix } from '@knocker/test-kit';
import { useOwnRedis } from './own-redis.js';

const ADMIN_KEY = 'admin-key-for-tests-0123456789';
// How late a first attempt may be on a loaded machine: BullMQ promotes a due job at once
// when a worker waits, so anything near this means the delay was not honoured as asked.
const LATE_MS = 5000;

const suite = useOwnRedis();
const { children } = suite;

async function start(prefix: string, withWorker = true) {
  const opts = { redisUrl: suite.redis.url, prefix, env: { ADMIN_API_KEY: ADMIN_KEY } };
  const [api, worker] = await Promise.all([startApi(opts), withWorker ? startWorker(opts) : undefined]);
  children.push(api, ...(worker ? [worker] : []));
  return { api, worker, opts };
}

const target = () => suite.target();

const knock = (apiUrl: string, headers: Record<string, string>) => request(`${apiUrl}/later`, { method: 'POST', headers, body: 'later' });
const inspect = async (apiUrl: string, id: string) =>
  (await request(`${apiUrl}/knocker/requests/${id}`, { headers: { 'Knocker-Admin-Key': ADMIN_KEY } })).json();

describe('Knocker-Delay and Knocker-Not-Before', () => {
  it('answers with not_before, shows the request as delayed, and makes the first attempt no sooner', async () => {
    const { api } = await start(uniquePrefix('delay'));
    const t = await target();
    const res = await knock(api.url, { 'Knocker-Host': t.host, 'Knocker-Delay': '2.5s', 'Knocker-Id': 'later-1' });
    expect(res.status).toBe(200);
    const body = res.json();
    const due = Date.parse(body.not_before);
    expect(due).toBeGreaterThan(Date.now() + 1000);
    expect(Object.keys(body)).toEqual(['status', 'config', 'url', 'method', 'headers', 'body-length', 'not_before']);
    expect(await inspect(api.url, 'later-1')).toMatchObject({ state: 'delayed', not_before: body.not_before });

    const [got] = await t.waitForRequests(1, 15_000);
    expect(got!.at).toBeGreaterThanOrEqual(due);
    expect(got!.at - due).toBeLessThan(LATE_MS);
    expect(got!.body.toString()).toBe('later');
  });

  it('starts at the unix time of Knocker-Not-Before, which wins over Knocker-Delay', async () => {
    const { api } = await start(uniquePrefix('not-before'));
    const t = await target();
    const at = Math.ceil(Date.now() / 1000) + 3;
    const res = await knock(api.url, { 'Knocker-Host': t.host, 'Knocker-Not-Before': String(at), 'Knocker-Delay': '1h' });
    expect(res.json().not_before).toBe(new Date(at * 1000).toISOString());
    const [got] = await t.waitForRequests(1, 15_000);
    expect(got!.at).toBeGreaterThanOrEqual(at * 1000);
    expect(got!.at - at * 1000).toBeLessThan(LATE_MS);
  });

  it('answers a plain request exactly as before, and a past Not-Before is delivered at once', async () => {
    const { api } = await start(uniquePrefix('plain'));
    const t = await target();
    const plain = (await knock(api.url, { 'Knocker-Host': t.host })).json();
    expect(plain).not.toHaveProperty('not_before');
    const past = (await knock(api.url, { 'Knocker-Host': t.host, 'Knocker-Not-Before': '1000000000' })).json();
    expect(Date.parse(past.not_before)).toBeLessThanOrEqual(Date.now());
    await t.waitForRequests(2, 15_000);
  });

  it('keeps the time across a restart of the api, the workers and Redis', async () => {
    const prefix = uniquePrefix('delay-restart');
    const { api, worker, opts } = await start(prefix);
    const t = await target();
    const body = (await knock(api.url, { 'Knocker-Host': t.host, 'Knocker-Delay': '6' })).json();
    const due = Date.parse(body.not_before);
    await Promise.all([api.kill('SIGKILL'), worker!.kill('SIGKILL')]);
    await suite.redis.kill('SIGKILL');
    await suite.redis.restart();
    expect(t.requests).toHaveLength(0);
    children.push(await startWorker(opts));
    // On a loaded machine the worker may take longer to start than the delay had left to run.
    const consuming = Date.now();
    children.push(await startApi(opts));

    const [got] = await t.waitForRequests(1, 20_000);
    expect(got!.at).toBeGreaterThanOrEqual(due);
    expect(got!.at - Math.max(due, consuming)).toBeLessThan(LATE_MS);
  });

  it('cancels a delayed request before it starts', async () => {
    const { api } = await start(uniquePrefix('delay-cancel'));
    const t = await target();
    await knock(api.url, { 'Knocker-Host': t.host, 'Knocker-Delay': '2s', 'Knocker-Id': 'never' });
    const cancel = await request(`${api.url}/knocker/requests/never`, { method: 'DELETE', headers: { 'Knocker-Admin-Key': ADMIN_KEY } });
    expect(cancel.json()).toEqual({ status: true, id: 'never', state: 'cancelled' });
    await sleep(4000);
    expect(t.requests).toHaveLength(0);
    expect((await inspect(api.url, 'never')).state).toBe('cancelled');
  });

  it('refuses bad values with a 400 naming the header', async () => {
    const api = await startApi({ redisUrl: suite.redis.url, prefix: uniquePrefix('delay-bad'), env: { DELAY_MAX: '1h' } });
    children.push(api);
    for (const [name, value, problem] of [
      ['Knocker-Delay', 'soon', /duration/], ['Knocker-Delay', '2h', /at most 3600 seconds \(DELAY_MAX\)/], ['Knocker-Delay', '-1', /duration/],
      ['Knocker-Not-Before', 'tomorrow', /unix time/], ['Knocker-Not-Before', String(Math.floor(Date.now() / 1000) + 7200), /DELAY_MAX/],
    ] as const) {
      const res = await knock(api.url, { 'Knocker-Host': '127.0.0.1:9', [name]: value });
      expect(res.status).toBe(400);
      expect(res.json().errors[name.toLowerCase()][0]).toMatch(problem);
    }
  });
});
