import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  freePort, openApiChecker, sharedRedisUrl, sleep, startApi, startLossyProxy, startWorker, stopAll, targetPool, uniquePrefix, waitFor,
  type ApiProcess, type ChildHandle, type OpenApiChecker,
} from '@knocker/test-kit';
import {
  Knocker, KnockerAuthError, KnockerNetworkError, KnockerNotFoundError, KnockerRequestError, KnockerStateError, KnockerUnavailableError,
  type KnockerOptions,
} from '../src/index.js';
import { KNOCK_OPTIONS } from '../src/options.js';

const ADMIN_KEY = 'admin-key-for-client-0123456789';
const API_KEY = 'api-key-for-client-0123456789';
const prefix = uniquePrefix('client');
const targets = targetPool();
let api: ApiProcess;
let worker: ChildHandle;
let checker: OpenApiChecker;
let doc: any;

beforeAll(async () => {
  const opts = { redisUrl: sharedRedisUrl(), prefix };
  [api, worker] = await Promise.all([
    startApi({ ...opts, env: { ADMIN_API_KEY: ADMIN_KEY, KNOCKER_API_KEYS: API_KEY, HOST_CONCURRENCY: '100' } }),
    startWorker(opts),
  ]);
  doc = await (await fetch(`${api.url}/knocker/openapi.json`)).json();
  checker = openApiChecker(doc);
}, 120_000);
afterAll(async () => {
  await Promise.all([stopAll([api, worker].filter(Boolean)), targets.closeAll()]);
});

/** The global fetch, with every answer the client gets checked against the api's document. */
const checkedFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const text = await res.clone().text();
  checker.check(init?.method ?? 'GET', String(input), { status: res.status, headers: Object.fromEntries(res.headers), text });
  return res;
};
const knocker = (o: Partial<KnockerOptions> = {}) => new Knocker({ url: api.url, apiKey: API_KEY, adminKey: ADMIN_KEY, fetch: checkedFetch, ...o });
const settled = (k: Knocker, id: string, state: string) =>
  waitFor(async () => (await k.requests.get(id)).state === state, { what: `${id} ${state}`, timeoutMs: 20_000 });

describe('knock', () => {
  it('splits the target URL into Knocker-Host, Knocker-Scheme and the path, and sends every option as its header', async () => {
    const t = await targets.start();
    const k = knocker();
    const answer = await k.knock({
      url: `${t.url}/orders/42?expand=1`, method: 'put', headers: { 'X-Trace': 't-1' }, body: { paid: true },
      retries: 3, timeout: 2.5, backoffFactor: 0, callback: 'http://127.0.0.1:9/failed', id: 'client-1', catch: ['auth.*', 'x.y'], config: { tenant: 'acme' },
    });
    expect(answer).toEqual({
      status: true,
      config: { id: 'client-1', host: t.host, scheme: 'http', timeout: 2.5, retries: 3, backoff_factor: 0, callback: 'http://127.0.0.1:9/failed', catch: ['auth.*', 'x.y'], 'knocker-tenant': 'acme' },
      url: `${t.url}/orders/42?expand=1`,
      method: 'PUT',
      headers: expect.arrayContaining([['x-trace', 't-1'], ['content-type', 'application/json']]),
      'body-length': 13,
    });
    const [got] = await t.waitForRequests(1, 20_000);
    expect(got).toMatchObject({ method: 'PUT', url: '/orders/42?expand=1', body: Buffer.from('{"paid":true}') });
    expect(got?.headers['x-knocker-id']).toBe('client-1');
  });

  it('has an option for every header the document describes', () => {
    const params: any[] = doc.paths['/{path}'].parameters.filter((p: any) => p.in === 'header');
    // Knocker-Group is knockGroup's own.
    const covered = ['Knocker-Host', 'Knocker-Scheme', 'Knocker-Group', ...KNOCK_OPTIONS.map((o) => o.header)];
    expect(params.map((p) => p.name).sort()).toEqual(covered.sort());
  });

  it('delays with Knocker-Delay or Knocker-Not-Before', async () => {
    const k = knocker();
    const at = new Date(Date.now() + 3_600_000);
    const a = await k.knock({ url: 'http://127.0.0.1:9/later', delay: '1h', id: 'client-delay' });
    const b = await k.knock({ url: 'http://127.0.0.1:9/later', notBefore: at, id: 'client-not-before' });
    if (a.duplicate || b.duplicate) throw new Error('stored before');
    expect(Date.parse(a.not_before ?? '')).toBeGreaterThan(Date.now() + 3_500_000);
    expect(b.not_before).toBe(at.toISOString());
    expect(await k.requests.get('client-not-before')).toMatchObject({ state: 'delayed', not_before: at.toISOString() });
  });

  it('refuses a target path that Knocker answers itself', () => {
    return expect(knocker().knock({ url: 'https://t.example/knocker/requests/x' })).rejects.toThrow(TypeError);
  });
});

describe('typed errors', () => {
  it('a refused header: KnockerRequestError with status, code and the message per header', async () => {
    const err = await knocker().knock({ url: 'http://127.0.0.1:9/x', retries: 99, timeout: 0 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KnockerRequestError);
    expect(err).toMatchObject({ status: 400, code: 'invalid_request', errors: { 'knocker-retries': [expect.stringMatching(/0 to 10/)], 'knocker-timeout': [expect.any(String)] } });
  });

  it('credentials: KnockerAuthError; unknown ids: KnockerNotFoundError; wrong state: KnockerStateError', async () => {
    await expect(knocker({ apiKey: 'not-the-key-0123456789' }).knock({ url: 'http://127.0.0.1:9/x' })).rejects.toMatchObject({ constructor: KnockerAuthError, status: 401, errors: { 'knocker-api-key': [expect.any(String)] } });
    await expect(knocker({ adminKey: undefined }).requests.get('x')).rejects.toMatchObject({ constructor: KnockerAuthError, status: 401, errors: { 'knocker-admin-key': [expect.any(String)] } });
    await expect(knocker().requests.get('never-sent')).rejects.toBeInstanceOf(KnockerNotFoundError);
    const t = await targets.start();
    const k = knocker();
    await k.knock({ url: t.url, id: 'client-state' });
    await settled(k, 'client-state', 'delivered');
    await expect(k.requests.retry('client-state')).rejects.toMatchObject({ constructor: KnockerStateError, status: 409, errors: { state: [expect.stringMatching(/is delivered/)] } });
  });

  it('Redis down: KnockerUnavailableError with retryAfter; nothing listening: KnockerNetworkError', async () => {
    const down = await startApi({ redisUrl: `redis://127.0.0.1:${await freePort()}`, prefix, env: { REDIS_TIMEOUT_MS: '200' } });
    try {
      const err = await new Knocker({ url: down.url }).knock({ url: 'http://127.0.0.1:9/x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KnockerUnavailableError);
      expect(err).toMatchObject({ status: 503, code: 'queue_unavailable', retryAfter: 1 });
    } finally {
      await down.kill();
    }
    const closed = `http://127.0.0.1:${await freePort()}`;
    await expect(new Knocker({ url: closed }).status()).rejects.toBeInstanceOf(KnockerNetworkError);
  });
});

describe('requests', () => {
  it('get, logs, log, retry and cancel', async () => {
    const failing = await targets.start(() => ({ status: 500 }));
    const k = knocker();
    await k.knock({ url: `${failing.url}/x`, id: 'client-fail', retries: 0, backoffFactor: 0 });
    await settled(k, 'client-fail', 'failed');
    expect(await k.requests.log('client-fail', 'looked at it')).toEqual({ status: true, id: 'client-fail', lines: 1 });
    expect(await k.requests.logs('client-fail')).toEqual([expect.stringMatching(/ looked at it$/)]);
    const view = await k.requests.get('client-fail');
    expect(view).toMatchObject({ id: 'client-fail', state: 'failed', attempts: [{ attempt: 1, status_code: 500 }] });
    expect(await k.requests.retry('client-fail')).toEqual({ status: true, id: 'client-fail', state: 'waiting' });
    await waitFor(async () => (await k.requests.get('client-fail')).attempts.length === 2 && (await k.requests.get('client-fail')).state === 'failed', { what: 'the replay', timeoutMs: 20_000 });

    await k.knock({ url: `${failing.url}/x`, id: 'client-wait', retries: 3, backoffFactor: 60 });
    await settled(k, 'client-wait', 'delayed');
    expect(await k.requests.cancel('client-wait')).toEqual({ status: true, id: 'client-wait', state: 'cancelled' });
    expect(await k.requests.remove('client-wait')).toEqual({ status: true, id: 'client-wait', state: 'removed' });
    expect(await k.status()).toMatchObject({ status: true, version: expect.any(String), queues: { requests: expect.any(Object) } });
  }, 60_000);
});

describe('schedules', () => {
  it('knock with cron stores one; list, get, pause, resume and remove it', async () => {
    const t = await targets.start();
    const k = knocker();
    const stored = await k.knock({ url: `${t.url}/tick`, cron: '* * * * * *', id: 'client-schedule', body: { tick: true } });
    expect(stored.schedule).toEqual({ id: 'client-schedule', cron: '* * * * * *', timezone: 'UTC', next: expect.any(String), state: 'active' });
    expect(stored.config.id).toBe('client-schedule');
    expect((await k.schedules.list()).find((s) => s.id === 'client-schedule')).toMatchObject({ state: 'active', method: 'POST', url: `${t.url}/tick` });
    const [tick] = await t.waitForRequests(1, 20_000);
    expect(tick?.headers['x-knocker-id']).toMatch(/^client-schedule@\d+$/);
    await waitFor(async () => (await k.schedules.get('client-schedule')).last_requests.length > 0, { what: 'a tick listed' });
    expect((await k.schedules.get('client-schedule')).schedule).toMatchObject({ next_ticks: expect.arrayContaining([expect.any(String)]), 'body-length': 13 });

    expect(await k.schedules.pause('client-schedule')).toEqual({ status: true, id: 'client-schedule', state: 'paused', next: null });
    expect((await k.schedules.get('client-schedule')).schedule.next_ticks).toEqual([]);
    expect(await k.schedules.resume('client-schedule')).toMatchObject({ state: 'active', next: expect.any(String) });
    expect(await k.schedules.remove('client-schedule')).toEqual({ status: true, id: 'client-schedule', state: 'deleted' });
    await expect(k.schedules.get('client-schedule')).rejects.toMatchObject({ constructor: KnockerNotFoundError, errors: { id: [expect.stringMatching(/no schedule/)] } });
    await expect(k.schedules.pause('bad:id')).rejects.toMatchObject({ constructor: KnockerRequestError, errors: { id: [expect.any(String)] } });
    await expect(knocker({ adminKey: undefined }).schedules.list()).rejects.toBeInstanceOf(KnockerAuthError);
  }, 60_000);
});

describe('groups', () => {
  it('put, setEndpoint, knockGroup (once per endpoint, a duplicate for the group), get, removeEndpoint, list and remove', async () => {
    const [a, b] = await Promise.all([targets.start(), targets.start()]);
    const k = knocker();
    expect((await k.groups.put('client-group', [{ name: 'a', url: a.url }])).group.endpoints).toEqual([{ name: 'a', url: a.url }]);
    expect((await k.groups.setEndpoint('client-group', 'b', `${b.url}/in`)).group.endpoints).toHaveLength(2);
    const sent = await k.knockGroup('client-group', { path: '/orders?x=1', body: { n: 1 }, id: 'client-fan', retries: 1 });
    expect(sent).toMatchObject({ id: 'client-fan', group: 'client-group', requests: [
      { id: 'client-fan~~a', url: `${a.url}/orders?x=1` }, { id: 'client-fan~~b', url: `${b.url}/in/orders?x=1` },
    ] });
    expect(await k.knockGroup('client-group', { id: 'client-fan' })).toMatchObject({ duplicate: true, requests: [{ id: 'client-fan~~a' }, { id: 'client-fan~~b' }] });
    await Promise.all([settled(k, 'client-fan~~a', 'delivered'), settled(k, 'client-fan~~b', 'delivered')]);
    expect((await b.waitForRequests(1))[0]).toMatchObject({ url: '/in/orders?x=1' });
    expect(await k.requests.get('client-fan~~b')).toMatchObject({ group: 'client-group', url: `${b.url}/in/orders?x=1` });
    expect((await k.groups.removeEndpoint('client-group', 'b')).group.endpoints).toHaveLength(1);
    expect((await k.groups.get('client-group')).endpoints).toEqual([{ name: 'a', url: a.url }]);
    expect((await k.groups.list()).map((g) => g.name)).toContain('client-group');
    expect(await k.groups.remove('client-group')).toEqual({ status: true, name: 'client-group', state: 'deleted' });
    await expect(k.groups.get('client-group')).rejects.toBeInstanceOf(KnockerNotFoundError);
    await expect(k.knockGroup('client-group')).rejects.toBeInstanceOf(KnockerNotFoundError);
    await expect(k.groups.put('client-group', [{ name: 'x', url: 'ftp://a.example' }])).rejects.toBeInstanceOf(KnockerRequestError);
    expect(() => k.knockGroup('client-group', { path: '/knocker/status' })).toThrow(TypeError);
  }, 60_000);
});

describe('hosts and bulk replay', () => {
  it('lists, pauses and resumes a flow key', async () => {
    const k = knocker();
    expect(await k.hosts.pause('tenant/7')).toEqual({ status: true, key: 'tenant/7', paused: true });
    const list = await k.hosts.list();
    expect(list).toMatchObject({ flow_control: true, defaults: { concurrency: 100, rate: 0 } });
    expect(list.hosts.find((h) => h.key === 'tenant/7')).toMatchObject({ paused: true, breaker: { state: 'closed' } });
    expect(await k.hosts.resume('tenant/7')).toEqual({ status: true, key: 'tenant/7', paused: false });
    await expect(k.hosts.pause(' no')).rejects.toMatchObject({ constructor: KnockerRequestError, status: 400, errors: { key: [expect.any(String)] } });
  });

  it('knocks with an orderKey and shows its line', async () => {
    const t = await targets.start();
    const k = knocker();
    const first = await k.knock({ url: `${t.url}/o/1`, orderKey: 'client/line', delay: '1h' });
    expect(first).toMatchObject({ order_key: 'client/line' });
    await k.knock({ url: `${t.url}/o/2`, orderKey: 'client/line' });
    expect(await k.orderKeys.get('client/line')).toMatchObject({ status: true, key: 'client/line', head: { id: 'config' in first ? first.config.id : undefined, state: 'delayed' }, waiting: 1 });
    expect(await k.orderKeys.get('client-empty')).toEqual({ status: true, key: 'client-empty', head: null, waiting: 0 });
    await expect(k.orderKeys.get('no:pe')).rejects.toMatchObject({ constructor: KnockerRequestError, status: 400, errors: { key: [expect.any(String)] } });
    await expect(k.knock({ url: `${t.url}/o/3`, orderKey: 'no pe' })).rejects.toMatchObject({ constructor: KnockerRequestError, errors: { 'knocker-order-key': [expect.any(String)] } });
  });

  it('retryMany replays the failed requests that match, and names a wrong filter', async () => {
    const failing = await targets.start(() => ({ status: 500 }));
    const k = knocker();
    for (const id of ['client-many-1', 'client-many-2']) await k.knock({ url: `${failing.url}/x`, id, retries: 0 });
    await settled(k, 'client-many-1', 'failed');
    await settled(k, 'client-many-2', 'failed');
    expect(await k.requests.retryMany({ host: failing.host, statusCode: 404 })).toEqual({ status: true, replayed: 0, more: false, ids: [] });
    const replayed = await k.requests.retryMany({ host: failing.host, statusCode: 500, since: new Date(Date.now() - 60_000), limit: 10 });
    expect(replayed).toMatchObject({ replayed: 2, more: false });
    expect(replayed.ids.sort()).toEqual(['client-many-1', 'client-many-2']);
    await expect(k.requests.retryMany({ limit: 0, since: 'yesterday' })).rejects.toMatchObject({
      constructor: KnockerRequestError, status: 400, errors: { limit: [expect.any(String)], since: [expect.any(String)] },
    });
  }, 60_000);
});

describe('opt-in retry', () => {
  it('sends again after a lost answer with the same id, so the request is stored and delivered once', async () => {
    const t = await targets.start();
    const proxy = await startLossyProxy(api.url);
    try {
      // Without retry the lost answer is an error, though the request was stored.
      proxy.loseAnswers(1);
      await expect(knocker({ url: proxy.url }).knock({ url: `${t.url}/once`, id: 'client-lost' })).rejects.toBeInstanceOf(KnockerNetworkError);

      proxy.loseAnswers(1);
      const before = proxy.forwarded;
      const answer = await knocker({ url: proxy.url, retry: { retries: 3, minDelayMs: 50 } }).knock({ url: `${t.url}/twice`, body: 'x' });
      expect(proxy.forwarded - before).toBe(2);
      if (!answer.duplicate) throw new Error(`expected a duplicate, got ${JSON.stringify(answer)}`);
      expect(answer).toEqual({ status: true, duplicate: true, id: expect.stringMatching(/^[0-9a-f]{32}$/), state: expect.any(String) });
      await settled(knocker(), answer.id, 'delivered');
      await t.waitForRequests(2, 20_000);
      await sleep(500);
      expect(t.requests.map((r) => r.url).sort()).toEqual(['/once', '/twice']);
    } finally {
      await proxy.close();
    }
  }, 60_000);
});

describe('listing, deleting and batches', () => {
  it('lists failed requests newest first, page by page, and removes them by filter', async () => {
    const failing = await targets.start(() => ({ status: 502 }));
    const k = knocker();
    const answer = await k.knockMany(['a', 'b', 'c'].map((n) => ({ url: `${failing.url}/${n}`, id: `client-dl-${n}`, retries: 0, body: { n } })));
    expect(answer.results.map((r) => ('config' in r ? r.config.id : r.id))).toEqual(['client-dl-a', 'client-dl-b', 'client-dl-c']);
    const host = new URL(failing.url).host;
    await waitFor(async () => (await k.requests.list({ host })).requests.length === 3, { what: 'three dead letters', timeoutMs: 20_000 });
    const first = await k.requests.list({ host, limit: 2 });
    expect(first.requests).toHaveLength(2);
    expect(first.requests[0]).toMatchObject({ state: 'failed', status_code: 502, attempts: 1, url: expect.stringContaining(host) });
    const rest = await k.requests.list({ host, limit: 2, cursor: first.cursor! });
    expect(rest.cursor).toBeUndefined();
    const all: string[] = [];
    for await (const r of k.requests.each({ host, limit: 1 })) all.push(r.id);
    expect(all).toEqual([...first.requests, ...rest.requests].map((r) => r.id));
    expect((await failing.waitForRequests(3)).map((r) => JSON.parse(r.body.toString()).n).sort()).toEqual(['a', 'b', 'c']);
    expect(await k.requests.deleteMany({ host, statusCode: 502 })).toMatchObject({ deleted: 3, more: false });
    expect((await k.requests.list({ host })).requests).toEqual([]);
    await expect(k.knockMany([{ url: `${failing.url}/x`, retries: 99 }])).rejects.toMatchObject({ status: 400, errors: { 'items[0].headers.knocker-retries': [expect.any(String)] } });
  }, 60_000);
});
