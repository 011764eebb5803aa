import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, sleep, startApi, startWorker, targetPool, uniquePrefix, waitFor, type ApiProcess, type ChildHandle, type Recorded,
} from '@knocker/test-kit';

const ADMIN_KEY = 'admin-key-for-tests-0123456789';
let api: ApiProcess;
let worker: ChildHandle;
const targets = targetPool();

beforeAll(async () => {
  const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('success-callback') };
  [api, worker] = await Promise.all([startApi({ ...opts, env: { ADMIN_API_KEY: ADMIN_KEY } }), startWorker({ ...opts, env: { SUCCESS_CALLBACK_MAX_BODY: '1000' } })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill(), targets.closeAll()]);
});

const target = targets.start;

async function knock(headers: Array<[string, string]>) {
  const res = await request(`${api.url}/hook?x=1`, { method: 'PUT', headers: [['Knocker-Backoff-Factor', '0'], ['Content-Type', 'text/plain'], ...headers], body: 'hello' });
  expect(res.status).toBe(200);
  return res.json();
}

const bodyOf = (r: Recorded | undefined) => JSON.parse(r?.body.toString() ?? '');
const inspect = async (id: string) => (await request(`${api.url}/knocker/requests/${id}`, { headers: { 'Knocker-Admin-Key': ADMIN_KEY } })).json();

describe('Knocker-Success-Callback', () => {
  it("posts the answer's status, headers and body once the request is delivered, and shows in the inspection", async () => {
    const t = await target((r) => (r.n === 1 ? { status: 500 } : { status: 201, headers: { 'X-Answer': 'yes', 'Content-Type': 'text/plain' }, body: 'created' }));
    const ok = await target();
    const { config } = await knock([['Knocker-Host', t.host], ['Knocker-Retries', '2'], ['Knocker-Success-Callback', ok.url], ['X-Trace', 't-1']]);
    expect(config.success_callback).toBe(ok.url);
    const [sent] = await ok.waitForRequests(1, 15_000);
    expect(sent?.method).toBe('POST');
    expect(sent?.headers).toMatchObject({ 'content-type': 'application/json', 'x-knocker-origin': 'knocker', 'x-trace': 't-1' });
    const body = bodyOf(sent);
    expect(body).toEqual({
      id: config.id, url: `http://${t.host}/hook?x=1`, method: 'PUT', status_code: 201, attempts: 2, duration_ms: expect.any(Number),
      headers: expect.arrayContaining([['x-answer', 'yes'], ['content-type', 'text/plain']]),
      body: Buffer.from('created').toString('base64'), body_truncated: false,
    });
    expect(body.headers.every(([name]: [string, string]) => name === name.toLowerCase())).toBe(true);
    const seen = await waitFor(async () => {
      const found = await inspect(config.id);
      return found.success_callback?.state === 'sent' && found;
    }, { what: 'the success callback to show as sent', timeoutMs: 10_000 });
    expect(seen.success_callback).toEqual({ url: ok.url, state: 'sent', attempts: 1 });
  });

  it('cuts the body at SUCCESS_CALLBACK_MAX_BODY and says so', async () => {
    const t = await target(() => ({ status: 200, body: 'x'.repeat(1500) }));
    const ok = await target();
    await knock([['Knocker-Host', t.host], ['Knocker-Success-Callback', ok.url]]);
    const [sent] = await ok.waitForRequests(1, 15_000);
    const body = bodyOf(sent);
    expect(Buffer.from(body.body, 'base64').toString()).toBe('x'.repeat(1000));
    expect(body.body_truncated).toBe(true);
  });

  it('is retried like the failure callback', async () => {
    const t = await target();
    const ok = await target((r) => ({ status: r.n === 1 ? 503 : 200 }));
    const { config } = await knock([['Knocker-Host', t.host], ['Knocker-Retries', '1'], ['Knocker-Success-Callback', ok.url]]);
    const sent = await ok.waitForRequests(2, 15_000);
    expect(sent.map((r) => bodyOf(r).id)).toEqual([config.id, config.id]);
  });

  it('is not called when the request fails, and the failure callback is not called when it succeeds', async () => {
    const failing = await target(() => ({ status: 500 }));
    const ok = await target();
    const failed = await target();
    await knock([['Knocker-Host', failing.host], ['Knocker-Retries', '0'], ['Knocker-Success-Callback', ok.url], ['Knocker-Callback', failed.url]]);
    await failed.waitForRequests(1, 15_000);

    const fine = await target();
    const { config } = await knock([['Knocker-Host', fine.host], ['Knocker-Success-Callback', ok.url], ['Knocker-Callback', failed.url]]);
    const [sent] = await ok.waitForRequests(1, 15_000);
    expect(bodyOf(sent).id).toBe(config.id);
    await sleep(1000);
    expect(ok.requests).toHaveLength(1);
    expect(failed.requests).toHaveLength(1);
  });

  it('leaves a request without it as it was: no success_callback in its config or inspection, nothing signed', async () => {
    const t = await target();
    const { config } = await knock([['Knocker-Host', t.host]]);
    expect(config).not.toHaveProperty('success_callback');
    const [got] = await t.waitForRequests(1, 10_000);
    expect(Object.keys(got?.headers ?? {}).filter((n) => n.startsWith('webhook-'))).toEqual([]);
    const seen = await waitFor(async () => {
      const found = await inspect(config.id);
      return found.state === 'delivered' && found;
    }, { what: 'the request to be delivered', timeoutMs: 10_000 });
    expect(seen).not.toHaveProperty('success_callback');
  });

  it('refuses a URL that is not absolute http(s), naming the header', async () => {
    const res = await request(`${api.url}/hook`, { method: 'POST', headers: [['Knocker-Host', 'h.example'], ['Knocker-Success-Callback', 'ftp://x.example/']] });
    expect(res.status).toBe(400);
    expect(res.json().errors).toEqual({ 'knocker-success-callback': [expect.stringMatching(/absolute http/)] });
  });
});
