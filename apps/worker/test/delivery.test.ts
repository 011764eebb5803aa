import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { KNOCKER_VERSION } from '@knocker/protocol';
import {
  freePort, request, sharedRedisUrl, startApi, startTarget, startWorker, uniquePrefix, type ApiProcess, type ChildHandle, type Target,
} from '@knocker/test-kit';

let api: ApiProcess;
let worker: ChildHandle;
const targets: Target[] = [];

beforeAll(async () => {
  const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('delivery') };
  [api, worker] = await Promise.all([startApi(opts), startWorker(opts)]);
});

afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill(), ...targets.map((t) => t.close())]);
});

async function target(respond?: Parameters<typeof startTarget>[0]): Promise<Target> {
  const t = await startTarget(respond);
  targets.push(t);
  return t;
}

async function knock(path: string, headers: Array<[string, string]>, body?: Buffer | string, method = 'POST') {
  const res = await request(`${api.url}${path}`, { method, headers, body });
  expect(res.status).toBe(200);
  return res.json();
}

describe('delivery', () => {
  it('sends the method, path, query, headers (repeats kept) and the exact body bytes', async () => {
    const t = await target();
    const body = Buffer.from([0, 1, 2, 250, 255, 13, 10, 0x80]);
    await knock('/hooks/a%20b?x=1&x=2', [
      ['Knocker-Host', t.host], ['Knocker-Trace', 'secret-ish'], ['X-Repeat', 'one'], ['X-Repeat', 'two'],
      ['Content-Type', 'application/octet-stream'], ['Content-Encoding', 'gzip'],
    ], body, 'PUT');
    const [got] = await t.waitForRequests(1);
    expect(got?.method).toBe('PUT');
    expect(got?.url).toBe('/hooks/a%20b?x=1&x=2');
    expect(Buffer.compare(got?.body ?? Buffer.alloc(0), body)).toBe(0);
    expect(got?.headers['x-knocker']).toBe(KNOCKER_VERSION);
    expect(got?.headers['content-encoding']).toBe('gzip');
    expect(got?.headers.host).toBe(t.host);
    const names = (got?.rawHeaders ?? []).filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase());
    expect(names.filter((n) => n === 'x-repeat')).toHaveLength(2);
    expect(names.some((n) => n.startsWith('knocker-'))).toBe(false);
  });

  it('delivers a GET without a body', async () => {
    const t = await target();
    await knock('/ping', [['Knocker-Host', t.host]], undefined, 'GET');
    const [got] = await t.waitForRequests(1);
    expect(got).toMatchObject({ method: 'GET', url: '/ping' });
    expect(got?.body.length).toBe(0);
  });

  it('follows redirects', async () => {
    const t = await target((r) => (r.url === '/old' ? { status: 307, headers: { location: '/new' } } : { status: 200 }));
    await knock('/old', [['Knocker-Host', t.host]]);
    const seen = await t.waitForRequests(2);
    expect(seen.map((r) => r.url)).toEqual(['/old', '/new']);
  });
});

describe('retries', () => {
  it('makes retries + 1 attempts spaced by factor·2^(n−1) + jitter, then calls back with the last status', async () => {
    const t = await target(() => ({ status: 500 }));
    const cb = await target();
    const { config } = await knock('/fail', [
      ['Knocker-Host', t.host], ['Knocker-Retries', '2'], ['Knocker-Backoff-Factor', '0.3'], ['Knocker-Callback', `${cb.url}/failed`],
    ]);
    const attempts = await t.waitForRequests(3, 10_000);
    const [a, b, c] = attempts.map((r) => r.at) as [number, number, number];
    // Knocker's formula: 0.3 s then 0.6 s, each plus up to 1 s of jitter; 400 ms of slack for scheduling.
    expect(b - a).toBeGreaterThanOrEqual(300 - 20);
    expect(b - a).toBeLessThan(1300 + 400);
    expect(c - b).toBeGreaterThanOrEqual(600 - 20);
    expect(c - b).toBeLessThan(1600 + 400);
    const [callback] = await cb.waitForRequests(1);
    expect(JSON.parse(callback?.body.toString() ?? '')).toMatchObject({ config: { id: config.id }, status_code: 500 });
    await new Promise((r) => setTimeout(r, 300));
    expect(t.requests).toHaveLength(3);
  });

  it('stops retrying once an attempt succeeds, and does not call back', async () => {
    const t = await target((r) => ({ status: r.n === 1 ? 503 : 200 }));
    const cb = await target();
    await knock('/flaky', [['Knocker-Host', t.host], ['Knocker-Retries', '3'], ['Knocker-Backoff-Factor', '0'], ['Knocker-Callback', cb.url]]);
    await t.waitForRequests(2);
    await new Promise((r) => setTimeout(r, 1500));
    expect(t.requests).toHaveLength(2);
    expect(cb.requests).toHaveLength(0);
  });

  it('reports 502 for a refused connection', async () => {
    const closed = await freePort();
    const cb = await target();
    await knock('/x', [['Knocker-Host', `127.0.0.1:${closed}`], ['Knocker-Retries', '0'], ['Knocker-Callback', cb.url]]);
    const [callback] = await cb.waitForRequests(1);
    expect(JSON.parse(callback?.body.toString() ?? '').status_code).toBe(502);
  });

  it('reports 504 for a timeout', async () => {
    const t = await target(() => ({ status: 200, delayMs: 2000 }));
    const cb = await target();
    await knock('/slow', [['Knocker-Host', t.host], ['Knocker-Timeout', '0.3'], ['Knocker-Retries', '0'], ['Knocker-Callback', cb.url]]);
    const [callback] = await cb.waitForRequests(1);
    expect(JSON.parse(callback?.body.toString() ?? '').status_code).toBe(504);
  });
});

describe('callback', () => {
  it("posts Knocker's JSON with the request's headers and x-knocker-origin", async () => {
    const t = await target(() => ({ status: 404 }));
    const cb = await target();
    const { config } = await knock('/missing?q=1', [
      ['Knocker-Host', t.host], ['Knocker-Retries', '0'], ['Knocker-Callback', `${cb.url}/cb?token=1`], ['Knocker-Id', `callback-${Date.now()}`],
      ['Knocker-Trace', 'abc'], ['X-Custom', 'kept'], ['Content-Type', 'text/plain'],
    ], 'not json');
    const [got] = await cb.waitForRequests(1);
    expect(got?.method).toBe('POST');
    expect(got?.url).toBe('/cb?token=1');
    expect(got?.headers).toMatchObject({ 'x-knocker-origin': 'knocker', 'content-type': 'application/json', 'x-custom': 'kept', 'x-knocker': KNOCKER_VERSION });
    expect(JSON.parse(got?.body.toString() ?? '')).toEqual({
      config: { id: config.id, host: t.host, scheme: 'http', timeout: 10, retries: 0, backoff_factor: 0.5, 'knocker-trace': 'abc' },
      method: 'POST',
      url: `http://${t.host}/missing?q=1`,
      status_code: 404,
      attempts: 1,
    });
  });

  it('retries a callback whose target fails at first', async () => {
    const t = await target(() => ({ status: 500 }));
    const cb = await target((r) => ({ status: r.n === 1 ? 502 : 200 }));
    await knock('/x', [['Knocker-Host', t.host], ['Knocker-Retries', '1'], ['Knocker-Backoff-Factor', '0'], ['Knocker-Callback', cb.url]]);
    const calls = await cb.waitForRequests(2, 10_000);
    expect(calls[0]?.body.toString()).toBe(calls[1]?.body.toString());
    expect(t.requests).toHaveLength(2);
  });
});
