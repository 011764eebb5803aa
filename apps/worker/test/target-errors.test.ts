import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { NO_ERROR_CODE } from '@knocker/protocol';
import {
  request, sharedRedisUrl, sleep, startApi, startWorker, targetPool, uniquePrefix, type ApiProcess, type ChildHandle, type Recorded,
} from '@knocker/test-kit';

let api: ApiProcess;
let worker: ChildHandle;
const targets = targetPool();

beforeAll(async () => {
  const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('target-errors') };
  [api, worker] = await Promise.all([startApi(opts), startWorker(opts)]);
});

afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill(), targets.closeAll()]);
});

const target = targets.start;

async function knock(headers: Array<[string, string]>) {
  const res = await request(`${api.url}/hook`, { method: 'POST', headers: [['Knocker-Backoff-Factor', '0'], ...headers], body: '{}' });
  expect(res.status).toBe(200);
  return res.json();
}

const headerValues = (r: Recorded | undefined, name: string) =>
  (r?.rawHeaders ?? []).filter((_, i, all) => i % 2 === 1 && all[i - 1]?.toLowerCase() === name);
const bodyOf = (r: Recorded | undefined) => JSON.parse(r?.body.toString() ?? '');

describe('correlation headers', () => {
  it('sends x-knocker-id and x-knocker-attempt (from 1) on every attempt, and never the client\'s own', async () => {
    const t = await target((r) => ({ status: r.n < 3 ? 500 : 200 }));
    await knock([['Knocker-Host', t.host], ['Knocker-Retries', '2'], ['Knocker-Id', 'corr-1'], ['X-Knocker-Id', 'forged'], ['X-Knocker-Attempt', '7']]);
    const seen = await t.waitForRequests(3, 10_000);
    expect(seen.map((r) => headerValues(r, 'x-knocker-id'))).toEqual([['corr-1'], ['corr-1'], ['corr-1']]);
    expect(seen.map((r) => headerValues(r, 'x-knocker-attempt'))).toEqual([['1'], ['2'], ['3']]);
  });
});

describe('errors reported by the target', () => {
  it('fails an attempt answered 200 with error headers, retries it, and calls back with the code and message', async () => {
    const t = await target(() => ({
      status: 200, headers: { 'Knocker-Error-Code': 'request.failure', 'Knocker-Error-Message': 'Failed to complete request' }, body: '{"ok":true}',
    }));
    const cb = await target();
    const { config } = await knock([['Knocker-Host', t.host], ['Knocker-Retries', '1'], ['Knocker-Callback', cb.url]]);
    await t.waitForRequests(2, 10_000);
    const [callback] = await cb.waitForRequests(1, 10_000);
    expect(bodyOf(callback)).toMatchObject({
      config: { id: config.id }, status_code: 200, attempts: 2, error_code: 'request.failure', error_message: 'Failed to complete request',
    });
  });

  it('records a message sent without a code under a code that says so', async () => {
    const t = await target(() => ({ status: 200, headers: { 'Knocker-Error-Message': 'no code given' } }));
    const cb = await target();
    await knock([['Knocker-Host', t.host], ['Knocker-Retries', '0'], ['Knocker-Callback', cb.url]]);
    const [callback] = await cb.waitForRequests(1, 10_000);
    expect(bodyOf(callback)).toMatchObject({ status_code: 200, attempts: 1, error_code: NO_ERROR_CODE, error_message: 'no code given' });
  });

  it('leaves error fields out of the callback when the last attempt reported none', async () => {
    const t = await target((r) => (r.n === 1 ? { status: 200, headers: { 'Knocker-Error-Code': 'first.only' } } : { status: 503 }));
    const cb = await target();
    await knock([['Knocker-Host', t.host], ['Knocker-Retries', '1'], ['Knocker-Callback', cb.url]]);
    const [callback] = await cb.waitForRequests(1, 10_000);
    const body = bodyOf(callback);
    expect(body).toMatchObject({ status_code: 503, attempts: 2 });
    expect(body).not.toHaveProperty('error_code');
    expect(body).not.toHaveProperty('error_message');
  });
});

describe('Knocker-Catch', () => {
  it('stops retrying at once when the reported code matches, and still calls back once', async () => {
    const t = await target(() => ({ status: 400, headers: { 'Knocker-Error-Code': 'request.denied', 'Knocker-Error-Message': 'no' } }));
    const cb = await target();
    const { config } = await knock([
      ['Knocker-Host', t.host], ['Knocker-Retries', '5'], ['Knocker-Catch', 'auth.*, request.*'], ['Knocker-Callback', cb.url],
    ]);
    expect(config.catch).toEqual(['auth.*', 'request.*']);
    const [callback] = await cb.waitForRequests(1, 10_000);
    expect(bodyOf(callback)).toMatchObject({ config: { id: config.id, catch: ['auth.*', 'request.*'] }, status_code: 400, attempts: 1, error_code: 'request.denied' });
    // Without the catch the next attempt would come within a second (factor 0 plus jitter).
    await sleep(1500);
    expect(t.requests).toHaveLength(1);
    expect(cb.requests).toHaveLength(1);
  });

  it('keeps retrying when no pattern matches the code', async () => {
    const t = await target((r) => (r.n === 1 ? { status: 500, headers: { 'Knocker-Error-Code': 'request.denied' } } : { status: 200 }));
    await knock([['Knocker-Host', t.host], ['Knocker-Retries', '1'], ['Knocker-Catch', 'auth.*']]);
    await t.waitForRequests(2, 10_000);
  });

  it('does not catch a failure that reported no code', async () => {
    const t = await target((r) => ({ status: r.n === 1 ? 500 : 200 }));
    await knock([['Knocker-Host', t.host], ['Knocker-Retries', '1'], ['Knocker-Catch', '*']]);
    await t.waitForRequests(2, 10_000);
  });
});

describe('callbacks', () => {
  it('retries a callback whose answer reports an error', async () => {
    const t = await target(() => ({ status: 500 }));
    const cb = await target((r) => (r.n === 1 ? { status: 200, headers: { 'Knocker-Error-Code': 'busy' } } : { status: 200 }));
    await knock([['Knocker-Host', t.host], ['Knocker-Retries', '1'], ['Knocker-Callback', cb.url]]);
    await cb.waitForRequests(2, 10_000);
  });
});
