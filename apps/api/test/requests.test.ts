import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { deliveryJobId } from '@knocker/keys';
import {
  request, sharedRedisUrl, sleep, startApi, startWorker, targetPool, uniquePrefix, waitFor, type ApiProcess, type ChildHandle,
  shardQueues, type ShardQueues,
} from '@knocker/test-kit';

const ADMIN_KEY = 'admin-key-for-tests-0123456789';
const prefix = uniquePrefix('requests');
let api: ApiProcess;
let worker: ChildHandle;
let redis: Redis;
let queues: ShardQueues;
const targets = targetPool();

beforeAll(async () => {
  const opts = { redisUrl: sharedRedisUrl(), prefix };
  [api, worker] = await Promise.all([
    startApi({ ...opts, env: { ADMIN_API_KEY: ADMIN_KEY, REQUEST_LOG_MAX_LINES: '3', REQUEST_LOG_MAX_BYTES: '64' } }),
    // Few deliveries at a time, so that requests wait in the queue long enough to be cancelled.
    startWorker({ ...opts, env: { WORKER_CONCURRENCY: '2' } }),
  ]);
  redis = new Redis(sharedRedisUrl(), { maxRetriesPerRequest: null });
  queues = shardQueues(redis, prefix);
});

afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill(), targets.closeAll()]);
  await queues?.delivery.obliterate({ force: true });
  await queues?.callback.obliterate({ force: true });
  await queues?.close();
  redis?.disconnect();
});

const target = targets.start;

async function knock(id: string, headers: Array<[string, string]>) {
  const factor: Array<[string, string]> = headers.some(([n]) => n === 'Knocker-Backoff-Factor') ? [] : [['Knocker-Backoff-Factor', '0']];
  const res = await request(`${api.url}/hook`, { method: 'POST', headers: [['Knocker-Id', id], ...factor, ...headers], body: '{"n":1}' });
  expect(res.status).toBe(200);
  return res.json();
}

const admin = (method: string, path: string, key: string | null = ADMIN_KEY) =>
  request(`${api.url}/knocker/requests/${path}`, { method, headers: key === null ? {} : { 'Knocker-Admin-Key': key } });
const inspect = async (id: string) => (await admin('GET', encodeURIComponent(id))).json();
const log = (id: string, body: string) => request(`${api.url}/knocker/log?id=${encodeURIComponent(id)}`, { method: 'POST', body });
const settled = (id: string, state: string) =>
  waitFor(async () => (await inspect(id)).state === state, { what: `request ${id} to be ${state}`, timeoutMs: 10_000 });

describe('admin credential', () => {
  it('answers 401 without Knocker-Admin-Key or with a wrong one, naming the header', async () => {
    const none = await admin('GET', 'anything', null);
    expect(none.status).toBe(401);
    expect(none.json()).toEqual({ status: false, code: 'unauthorized', errors: { 'knocker-admin-key': [expect.stringMatching(/is required/)] } });
    for (const wrong of [`${ADMIN_KEY}x`, ADMIN_KEY.slice(1), 'nope']) {
      const res = await admin('DELETE', 'anything', wrong);
      expect(res.status).toBe(401);
      expect(res.json().errors['knocker-admin-key'][0]).toMatch(/does not match/);
    }
  });

  it('never relays a reserved path, whatever the method', async () => {
    const t = await target();
    for (const [method, path] of [['PUT', '/knocker/requests/x'], ['GET', '/knocker/requests/x/retry'], ['GET', '/knocker/log?id=x'], ['POST', '/knocker/requests']]) {
      const res = await request(`${api.url}${path}`, { method, headers: { 'Knocker-Host': t.host, 'Knocker-Admin-Key': ADMIN_KEY } });
      expect([method, path, res.status]).toEqual([method, path, expect.any(Number)]);
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.json()).toMatchObject({ status: false });
    }
    expect((await request(`${api.url}/knocker/requests/x`, { method: 'PUT', headers: { 'Knocker-Admin-Key': ADMIN_KEY } })).headers.allow).toBe('GET, DELETE');
    await sleep(200);
    expect(t.requests).toHaveLength(0);
  });
});

describe('GET /knocker/requests/<id>', () => {
  it('shows a delivered request with its attempts, log lines and no callback', async () => {
    const t = await target(async (r) => {
      // The target logs against the request while handling it, as a Direktiv function does.
      const id = String(r.headers['x-knocker-id']);
      await log(id, `handling attempt ${String(r.headers['x-knocker-attempt'])}\n`);
      return { status: r.n === 1 ? 503 : 201 };
    });
    const { config } = await knock('inspect-1', [['Knocker-Host', t.host], ['Knocker-Retries', '2'], ['Knocker-Trace', 'abc']]);
    await settled('inspect-1', 'delivered');
    const view = await inspect('inspect-1');
    expect(view).toMatchObject({
      status: true, id: 'inspect-1', state: 'delivered', method: 'POST', url: `http://${t.host}/hook`, config, replays: 0, callback: null,
    });
    expect(Date.parse(view.created_at)).toBeGreaterThan(Date.now() - 60_000);
    expect(view.attempts).toEqual([
      { attempt: 1, started_at: expect.any(String), duration_ms: expect.any(Number), status_code: 503, error: 'HTTP 503', error_code: null, error_message: null },
      { attempt: 2, started_at: expect.any(String), duration_ms: expect.any(Number), status_code: 201, error: null, error_code: null, error_message: null },
    ]);
    expect(Date.parse(view.attempts[1].started_at)).toBeGreaterThanOrEqual(Date.parse(view.attempts[0].started_at));
    expect(view.logs).toEqual([expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:.]+Z handling attempt 1$/), expect.stringMatching(/Z handling attempt 2$/)]);
  });

  it('shows the error a target reported, and the state of the callback', async () => {
    const t = await target(() => ({ status: 200, headers: { 'Knocker-Error-Code': 'request.failure', 'Knocker-Error-Message': 'went wrong' } }));
    const cb = await target();
    await knock('inspect-2', [['Knocker-Host', t.host], ['Knocker-Retries', '0'], ['Knocker-Callback', `${cb.url}/failed`]]);
    await cb.waitForRequests(1);
    await waitFor(async () => (await inspect('inspect-2')).callback?.state === 'sent', { what: 'the callback to be recorded as sent' });
    const view = await inspect('inspect-2');
    expect(view).toMatchObject({ state: 'failed', callback: { url: `${cb.url}/failed`, state: 'sent', attempts: 1 } });
    expect(view.attempts).toEqual([expect.objectContaining({
      attempt: 1, status_code: 200, error: 'target reported request.failure: went wrong', error_code: 'request.failure', error_message: 'went wrong',
    })]);
  });

  it('answers 404 for an unknown id and 400 for an id that cannot exist', async () => {
    const unknown = await admin('GET', 'never-sent');
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toEqual({ status: false, code: 'not_found', errors: { id: [expect.stringMatching(/"never-sent" is known.*RETAIN_/)] } });
    const bad = await admin('GET', 'bad%3Aid');
    expect(bad.status).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'invalid_request', errors: { id: [expect.stringMatching(/1 to 128 characters/)] } });
  });

  it('finds ids with a slash when it is written %2F', async () => {
    const t = await target();
    await knock('orders/42', [['Knocker-Host', t.host]]);
    await settled('orders/42', 'delivered');
    expect((await admin('GET', 'orders%2F42')).json()).toMatchObject({ id: 'orders/42', state: 'delivered' });
    expect((await admin('GET', 'orders/42')).status).toBe(404);
  });
});

describe('POST /knocker/log?id=<id>', () => {
  it('appends up to REQUEST_LOG_MAX_LINES lines, then answers 413', async () => {
    const t = await target();
    await knock('log-1', [['Knocker-Host', t.host]]);
    expect((await log('log-1', 'one')).json()).toEqual({ status: true, id: 'log-1', lines: 1 });
    expect((await log('log-1', 'two')).json()).toMatchObject({ lines: 2 });
    expect((await log('log-1', 'three')).json()).toMatchObject({ lines: 3 });
    const full = await log('log-1', 'four');
    expect(full.status).toBe(413);
    expect(full.json()).toEqual({ status: false, code: 'log_full', errors: { log: ['request #log-1 already has 3 lines (REQUEST_LOG_MAX_LINES)'] } });
    // Bull Board reads the same lines: they are the job's BullMQ log.
    const { logs } = await queues.delivery.getJobLogs(deliveryJobId('log-1'));
    expect(logs.map((l) => l.slice(25))).toEqual(['one', 'two', 'three']);
  });

  it('bounds the bytes of one line and of the whole log with 413', async () => {
    const t = await target();
    await knock('log-2', [['Knocker-Host', t.host]]);
    const long = await log('log-2', 'x'.repeat(65));
    expect(long.status).toBe(413);
    expect(long.json()).toMatchObject({ code: 'log_full', errors: { body: ['a line must be at most 64 bytes (REQUEST_LOG_MAX_BYTES)'] } });
    expect((await log('log-2', 'x'.repeat(60))).status).toBe(200);
    const over = await log('log-2', 'x'.repeat(5));
    expect(over.status).toBe(413);
    expect(over.json().errors.log[0]).toMatch(/more than 64 bytes of log/);
    expect((await log('log-2', 'x'.repeat(4))).status).toBe(200);
  });

  it('refuses an unknown, missing or malformed id, and an empty line', async () => {
    const unknown = await log('nobody-here', 'x');
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'not_found', errors: { id: [expect.any(String)] } });
    for (const url of ['/knocker/log', '/knocker/log?aid=x', '/knocker/log?id=a%3Ab', '/knocker/log?id=%E0%A4%A', '/knocker/log?id=a&id=b']) {
      const res = await request(`${api.url}${url}`, { method: 'POST', body: 'x' });
      expect([url, res.status, res.json().errors]).toEqual([url, 400, { id: [expect.any(String)] }]);
    }
    const t = await target();
    await knock('log-3', [['Knocker-Host', t.host]]);
    const empty = await log('log-3', '\n');
    expect(empty.status).toBe(400);
    expect(empty.json()).toMatchObject({ errors: { body: [expect.any(String)] } });
  });

  it("keeps a '+' in the id as it is", async () => {
    const t = await target();
    await knock('a+b', [['Knocker-Host', t.host]]);
    const res = await request(`${api.url}/knocker/log?id=a+b`, { method: 'POST', body: 'plus' });
    expect(res.json()).toEqual({ status: true, id: 'a+b', lines: 1 });
  });
});

describe('POST /knocker/requests/<id>/retry', () => {
  it('runs a failed request again with its original config and a fresh set of attempts', async () => {
    const t = await target((r) => ({ status: r.n <= 2 ? 500 : 200 }));
    const cb = await target();
    await knock('replay-1', [['Knocker-Host', t.host], ['Knocker-Retries', '1'], ['Knocker-Callback', cb.url]]);
    await cb.waitForRequests(1, 10_000);
    await settled('replay-1', 'failed');

    const replayed = await admin('POST', 'replay-1/retry');
    expect(replayed.json()).toEqual({ status: true, id: 'replay-1', state: 'waiting' });
    await settled('replay-1', 'delivered');
    const seen = t.requests;
    expect(seen).toHaveLength(3);
    expect(seen.map((r) => r.headers['x-knocker-attempt'])).toEqual(['1', '2', '1']);
    expect(seen[2]?.body.toString()).toBe('{"n":1}');
    const view = await inspect('replay-1');
    expect(view).toMatchObject({ replays: 1, callback: { state: 'none' } });
    expect(view.attempts.map((a: { attempt: number; status_code: number }) => [a.attempt, a.status_code])).toEqual([[1, 500], [2, 500], [1, 200]]);
    expect(cb.requests).toHaveLength(1);

    const again = await admin('POST', 'replay-1/retry');
    expect(again.status).toBe(409);
    expect(again.json()).toEqual({ status: false, code: 'invalid_state', errors: { state: ['is delivered; only a failed request can be retried'] } });
  });

  it('sends the callback of a replay that fails too', async () => {
    const t = await target(() => ({ status: 500 }));
    const cb = await target();
    await knock('replay-2', [['Knocker-Host', t.host], ['Knocker-Retries', '0'], ['Knocker-Callback', cb.url]]);
    await cb.waitForRequests(1, 10_000);
    await settled('replay-2', 'failed');
    expect((await admin('POST', 'replay-2/retry')).status).toBe(200);
    const calls = await cb.waitForRequests(2, 10_000);
    expect(calls.map((c) => JSON.parse(c.body.toString()).attempts)).toEqual([1, 1]);
    expect(t.requests).toHaveLength(2);
  });

  it('answers 404 for an unknown request', async () => {
    expect((await admin('POST', 'no-such-request/retry')).status).toBe(404);
  });
});

describe('DELETE /knocker/requests/<id>', () => {
  it('cancels a delayed request: no more attempts, no callback, state cancelled, id still known until it is removed', async () => {
    const t = await target(() => ({ status: 500 }));
    const cb = await target();
    await knock('cancel-1', [['Knocker-Host', t.host], ['Knocker-Retries', '3'], ['Knocker-Backoff-Factor', '30'], ['Knocker-Callback', cb.url]]);
    await settled('cancel-1', 'delayed');
    const res = await admin('DELETE', 'cancel-1');
    expect(res.json()).toEqual({ status: true, id: 'cancel-1', state: 'cancelled' });
    expect((await inspect('cancel-1')).state).toBe('cancelled');

    expect((await admin('POST', 'cancel-1/retry')).json().errors.state[0]).toBe('is cancelled; only a failed request can be retried');
    const resent = await request(`${api.url}/hook`, { method: 'POST', headers: { 'Knocker-Id': 'cancel-1', 'Knocker-Host': t.host } });
    expect(resent.json()).toMatchObject({ duplicate: true });
    expect(t.requests).toHaveLength(1);
    expect(cb.requests).toHaveLength(0);
    // Finished now: a second DELETE removes it.
    expect((await admin('DELETE', 'cancel-1')).json()).toEqual({ status: true, id: 'cancel-1', state: 'removed' });
    expect((await admin('GET', 'cancel-1')).status).toBe(404);
  });

  it('answers 409 while a worker is making the attempt', async () => {
    const t = await target(() => ({ status: 200, delayMs: 1500 }));
    await knock('cancel-2', [['Knocker-Host', t.host]]);
    await t.waitForRequests(1);
    const res = await admin('DELETE', 'cancel-2');
    expect(res.status).toBe(409);
    expect(res.json().errors.state[0]).toBe('is active; a request being delivered can be neither cancelled nor removed');
    await settled('cancel-2', 'delivered');
  });

  it('races the worker cleanly: each request is either cancelled and never delivered, or delivered and refused (or removed, once delivered)', async () => {
    const t = await target(() => ({ status: 200, delayMs: 50 }));
    const ids = Array.from({ length: 20 }, (_, i) => `cancel-race-${i}`);
    const outcomes = await Promise.all(ids.map(async (id) => {
      await knock(id, [['Knocker-Host', t.host]]);
      const res = await admin('DELETE', id);
      return [id, res.status, res.json().state as string | undefined] as const;
    }));
    await waitFor(async () => {
      const states = await Promise.all(ids.map(async (id) => (await inspect(id)).state));
      return states.every((s) => s === 'cancelled' || s === 'delivered' || s === undefined) && states;
    }, { what: 'every raced request to settle' });
    await sleep(300);
    expect(outcomes.map(([, , answered]) => answered)).toContain('cancelled');
    const delivered = new Set(t.requests.map((r) => String(r.headers['x-knocker-id'])));
    for (const [id, status, answered] of outcomes) {
      const state = (await inspect(id)).state;
      const expected = answered === 'cancelled' ? [id, 200, 'cancelled', false] : answered === 'removed' ? [id, 200, undefined, true] : [id, 409, 'delivered', true];
      expect([id, status, state, delivered.has(id)]).toEqual(expected);
    }
  });
});
