import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, sleep, startApi, startWorker, targetPool, uniquePrefix, type ApiProcess, type ChildHandle, type Recorded,
} from '@knocker/test-kit';

// The receiver's say on retries: Retry-After, Knocker-Retry-On and Knocker-No-Retry.
let api: ApiProcess;
let worker: ChildHandle;
const targets = targetPool();
// Above the waits the tests ask for, far below the hour one of them asks for.
const RETRY_AFTER_MAX = 3;

beforeAll(async () => {
  const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('retry-rules'), env: { RETRY_AFTER_MAX: String(RETRY_AFTER_MAX) } };
  [api, worker] = await Promise.all([startApi(opts), startWorker(opts)]);
}, 90_000);

afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill(), targets.closeAll()]);
});

const target = targets.start;

async function knock(headers: Array<[string, string]>) {
  const res = await request(`${api.url}/hook`, { method: 'POST', headers: [['Knocker-Backoff-Factor', '0'], ...headers], body: '{}' });
  expect(res.status).toBe(200);
  return res.json();
}

const bodyOf = (r: Recorded | undefined) => JSON.parse(r?.body.toString() ?? '');
const gap = (seen: Recorded[], i: number) => (seen[i]?.at ?? 0) - (seen[i - 1]?.at ?? 0);

describe('Retry-After', () => {
  it('waits the seconds a 429 asks for instead of the backoff, and the wait counts as an attempt', async () => {
    const t = await target(() => ({ status: 429, headers: { 'Retry-After': '2' } }));
    const cb = await target();
    await knock([['Knocker-Host', t.host], ['Knocker-Retries', '1'], ['Knocker-Callback', cb.url]]);
    const seen = await t.waitForRequests(2, 20_000);
    // Backoff factor 0 alone would retry within a second.
    expect(gap(seen, 1)).toBeGreaterThanOrEqual(1900);
    const [callback] = await cb.waitForRequests(1, 20_000);
    expect(bodyOf(callback)).toMatchObject({ status_code: 429, attempts: 2 });
  });

  it('waits until the HTTP date a 503 names', async () => {
    const t = await target((r) => (r.n === 1
      ? { status: 503, headers: { 'Retry-After': new Date(Math.ceil(Date.now() / 1000) * 1000 + 3000).toUTCString() } }
      : { status: 200 }));
    await knock([['Knocker-Host', t.host], ['Knocker-Retries', '1']]);
    const seen = await t.waitForRequests(2, 20_000);
    expect(gap(seen, 1)).toBeGreaterThanOrEqual(2500);
  });

  it('ignores Retry-After on other statuses', async () => {
    const t = await target((r) => (r.n === 1 ? { status: 500, headers: { 'Retry-After': '30' } } : { status: 200 }));
    await knock([['Knocker-Host', t.host], ['Knocker-Retries', '1']]);
    await t.waitForRequests(2, 10_000);
  });

  it('waits no longer than RETRY_AFTER_MAX', async () => {
    const t = await target((r) => (r.n === 1 ? { status: 429, headers: { 'Retry-After': '3600' } } : { status: 200 }));
    await knock([['Knocker-Host', t.host], ['Knocker-Retries', '1']]);
    const seen = await t.waitForRequests(2, 30_000);
    expect(gap(seen, 1)).toBeGreaterThanOrEqual(RETRY_AFTER_MAX * 1000 - 100);
  });
});

describe('Knocker-Retry-On', () => {
  it('ends the request at once on a failure outside the list, through the failure callback', async () => {
    const t = await target(() => ({ status: 404 }));
    const cb = await target();
    const { config } = await knock([['Knocker-Host', t.host], ['Knocker-Retries', '5'], ['Knocker-Retry-On', '5xx, 429'], ['Knocker-Callback', cb.url]]);
    expect(config.retry_on).toEqual(['5xx', '429']);
    const [callback] = await cb.waitForRequests(1, 10_000);
    expect(bodyOf(callback)).toMatchObject({ config: { id: config.id }, status_code: 404, attempts: 1, error: 'outside_retry_on' });
    // Otherwise the next attempt would come within a second.
    await sleep(1500);
    expect(t.requests).toHaveLength(1);
  });

  it('retries a failure the list names', async () => {
    const t = await target((r) => ({ status: r.n === 1 ? 503 : r.n === 2 ? 429 : 200 }));
    await knock([['Knocker-Host', t.host], ['Knocker-Retries', '2'], ['Knocker-Retry-On', '5xx,429']]);
    await t.waitForRequests(3, 10_000);
  });

  it('retries a call without an answer only when the list says network', async () => {
    const resets = await target((r) => (r.n === 1 ? { destroy: true } : { status: 200 }));
    await knock([['Knocker-Host', resets.host], ['Knocker-Retries', '1'], ['Knocker-Retry-On', '5xx,network']]);
    await resets.waitForRequests(2, 10_000);

    const ended = await target(() => ({ destroy: true }));
    const cb = await target();
    await knock([['Knocker-Host', ended.host], ['Knocker-Retries', '3'], ['Knocker-Retry-On', '5xx'], ['Knocker-Callback', cb.url]]);
    const [callback] = await cb.waitForRequests(1, 10_000);
    expect(bodyOf(callback)).toMatchObject({ status_code: 502, attempts: 1, error: 'outside_retry_on' });
    expect(ended.requests).toHaveLength(1);
  });

  it('refuses a bad list with a 400 naming the header', async () => {
    const res = await request(`${api.url}/hook`, { method: 'POST', headers: [['Knocker-Host', 'h.example'], ['Knocker-Retry-On', '5xx,teapot']] });
    expect(res.status).toBe(400);
    expect(res.json().errors).toEqual({ 'knocker-retry-on': [expect.stringMatching(/invalid entry "teapot"/)] });
  });
});

describe('Knocker-No-Retry', () => {
  it('ends the request at once whatever attempts remain, and the callback says why', async () => {
    const t = await target(() => ({ status: 500, headers: { 'Knocker-No-Retry': 'true' } }));
    const cb = await target();
    const { config } = await knock([['Knocker-Host', t.host], ['Knocker-Retries', '5'], ['Knocker-Callback', cb.url]]);
    const [callback] = await cb.waitForRequests(1, 10_000);
    expect(bodyOf(callback)).toMatchObject({ config: { id: config.id }, status_code: 500, attempts: 1, error: 'no_retry' });
    await sleep(1500);
    expect(t.requests).toHaveLength(1);
  });

  it('is read only as true', async () => {
    const t = await target((r) => (r.n === 1 ? { status: 500, headers: { 'Knocker-No-Retry': 'false' } } : { status: 200 }));
    await knock([['Knocker-Host', t.host], ['Knocker-Retries', '1']]);
    await t.waitForRequests(2, 10_000);
  });
});
