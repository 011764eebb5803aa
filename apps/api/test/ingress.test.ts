import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { hostname } from 'node:os';
import { Redis } from 'ioredis';
import { KNOCKER_VERSION } from '@knocker/protocol';
import { deliveryJobId } from '@knocker/keys';
import { createRequestStore, type RequestStore } from '@knocker/queue';
import {
  request, sharedRedisUrl, shardQueues, silentLog, startApi, uniquePrefix, waitFor, type ApiProcess, type ShardQueues,
} from '@knocker/test-kit';

const prefix = uniquePrefix('ingress');
let api: ApiProcess;
let redis: Redis;
let queues: ShardQueues;
let store: RequestStore;

beforeAll(async () => {
  api = await startApi({
    redisUrl: sharedRedisUrl(),
    prefix,
    env: { HOSTS_ONLY: '', MAX_BODY_SIZE: '1000', RETRIES: '3', RETRIES_MAX: '5', TIMEOUT_MAX: '30' },
  });
  redis = new Redis(sharedRedisUrl(), { maxRetriesPerRequest: null });
  queues = shardQueues(redis, prefix);
  store = createRequestStore(redis, { prefix, shards: 1, timeoutMs: 1500, bounded: false, log: silentLog });
});

afterAll(async () => {
  await api?.kill();
  await queues?.delivery.obliterate({ force: true });
  await Promise.all([queues?.close(), store?.close()]);
  redis?.disconnect();
});

const knock = (headers: Array<[string, string]>, opts: { method?: string; path?: string; body?: string | Buffer } = {}) =>
  request(`${api.url}${opts.path ?? '/hook?x=1'}`, { method: opts.method ?? 'POST', headers, body: opts.body });

async function stored(id: string) {
  return queues.delivery.getJob(deliveryJobId(id));
}

describe('accepting a request', () => {
  it('answers with the config, the target url and the forwarded headers, after the job is stored', async () => {
    const res = await knock(
      [['Knocker-Host', 'target.example:9000'], ['Knocker-Id', 'ingress-1'], ['Knocker-Trace', 't-1'], ['Content-Type', 'text/plain'], ['X-A', '1'], ['X-A', '2']],
      { body: 'hello' },
    );
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      status: true,
      config: { id: 'ingress-1', host: 'target.example:9000', scheme: 'http', timeout: 10, retries: 3, backoff_factor: 0.5, callback: null, 'knocker-trace': 't-1' },
      url: 'http://target.example:9000/hook?x=1',
      method: 'POST',
      headers: [['content-type', 'text/plain'], ['x-a', '1'], ['x-a', '2'], ['x-knocker', KNOCKER_VERSION]],
      'body-length': 5,
    });
    const job = await stored('ingress-1');
    expect(job?.data).toMatchObject({ method: 'POST', url: 'http://target.example:9000/hook?x=1', body: Buffer.from('hello').toString('base64') });
    expect(job?.opts.attempts).toBe(4);
  });

  it('generates an id when none is given', async () => {
    const res = await knock([['Knocker-Host', 'target.example']], { method: 'GET' });
    const { config } = res.json();
    expect(config.id).toMatch(/^[0-9a-f]{32}$/);
    expect(await stored(config.id)).toBeDefined();
  });

  it('stores a request once when its Knocker-Id is sent again, and tells the sender nothing the first one sent', async () => {
    const secret = 'Bearer first-callers-secret-77';
    await knock([['Knocker-Host', 'first.example'], ['Knocker-Id', 'twice'], ['Authorization', secret], ['Knocker-Trace', 'mine']], { body: 'one' });
    const again = await knock([['Knocker-Host', 'second.example'], ['Knocker-Id', 'twice']], { body: 'three' });
    expect(again.status).toBe(200);
    expect(again.json()).toEqual({ status: true, duplicate: true, id: 'twice', state: 'waiting' });
    for (const sent of ['first-callers-secret', 'first.example', 'mine', '/hook']) expect(again.text).not.toContain(sent);
    const job = await stored('twice');
    expect(job?.data.url).toBe('http://first.example/hook?x=1');
    expect((await queues.delivery.getJobs(['waiting'])).filter((j) => j.data.config.id === 'twice')).toHaveLength(1);
  });

  it('answers a duplicate with the state of the stored request', async () => {
    await knock([['Knocker-Host', 'h'], ['Knocker-Id', 'twice-delayed'], ['Knocker-Delay', '1h']]);
    expect((await knock([['Knocker-Host', 'h'], ['Knocker-Id', 'twice-delayed']])).json()).toEqual({ status: true, duplicate: true, id: 'twice-delayed', state: 'delayed' });
    expect(await store.cancel('twice-delayed')).toBe('cancelled');
    expect((await knock([['Knocker-Host', 'h'], ['Knocker-Id', 'twice-delayed']])).json()).toMatchObject({ duplicate: true, state: 'cancelled' });
  });

  it("never forwards a client's x-knocker-origin, the mark of Knocker's callbacks", async () => {
    const res = await knock([['Knocker-Host', 'h'], ['Knocker-Id', 'origin-1'], ['X-Knocker-Origin', 'knocker'], ['X-Other', 'kept']]);
    expect(res.json().headers).toEqual([['x-other', 'kept'], ['x-knocker', KNOCKER_VERSION]]);
    expect((await stored('origin-1'))?.data.headers).toEqual([['x-other', 'kept'], ['x-knocker', KNOCKER_VERSION]]);
  });

  it("refuses the id of a schedule's next tick, which would take the tick's place", async () => {
    const schedule = await knock([['Knocker-Host', 'h'], ['Knocker-Id', 'ingress-nightly'], ['Knocker-Cron', '0 3 * * *']]);
    expect(schedule.status).toBe(200);
    const tick = `ingress-nightly@${Date.parse(schedule.json().schedule.next)}`;
    const res = await knock([['Knocker-Host', 'evil.example'], ['Knocker-Id', tick]]);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ status: false, code: 'invalid_request', errors: { 'knocker-id': [expect.stringMatching(/^is reserved: .*@<digits> \(ticks of schedules\)/)] } });
    expect(await stored(tick)).toBeUndefined();
  });
});

describe('refusing a request', () => {
  it.each([
    [[], 'knocker-host', /is required/],
    [[['Knocker-Host', 'h'], ['Knocker-Retries', '6']], 'knocker-retries', /whole number from 0 to 5, got "6"/],
    [[['Knocker-Host', 'h'], ['Knocker-Timeout', '31']], 'knocker-timeout', /above 0 and at most 30/],
    [[['Knocker-Host', 'h'], ['Knocker-Backoff-Factor', '-1']], 'knocker-backoff-factor', /from 0 to 600/],
    [[['Knocker-Host', 'h'], ['Knocker-Scheme', 'gopher']], 'knocker-scheme', /one of https, http/],
    [[['Knocker-Host', 'h'], ['Knocker-Callback', 'nope']], 'knocker-callback', /absolute http/],
    [[['Knocker-Host', 'h'], ['Knocker-Id', 'bad id']], 'knocker-id', /1 to 128 characters/],
    [[['Knocker-Host', 'h'], ['Knocker-Id', 'cb-refused']], 'knocker-id', /is reserved: .*cb-/],
    [[['Knocker-Host', 'h'], ['Knocker-Id', 'ok-refused']], 'knocker-id', /is reserved: .*ok-/],
    [[['Knocker-Host', 'h'], ['Knocker-Id', 'refused@1700000000000']], 'knocker-id', /is reserved: .*ticks of schedules/],
    [[['Knocker-Host', 'h'], ['Knocker-Catch', 'request.{a,b}']], 'knocker-catch', /invalid pattern/],
  ] as Array<[Array<[string, string]>, string, RegExp]>)('400 names the header (%#)', async (headers, field, message) => {
    const before = await queues.delivery.getJobCounts();
    const res = await knock([...headers, ['Knocker-Id', 'refused']].filter(([n], i, a) => a.findIndex(([m]) => m === n) === i) as Array<[string, string]>);
    expect(res.status).toBe(400);
    const body = res.json();
    expect(body).toEqual({ status: false, code: 'invalid_request', errors: { [field]: [expect.stringMatching(message)] } });
    expect(await queues.delivery.getJobCounts()).toEqual(before);
    expect(await stored('refused')).toBeUndefined();
  });

  it('gives the exact body for a missing host', async () => {
    const res = await knock([]);
    expect(res.json()).toEqual({ status: false, code: 'invalid_request', errors: { 'knocker-host': ['is required: the host (and optional :port) to deliver to, or Knocker-Group'] } });
  });

  it('refuses a request that already went through a Knocker with 406', async () => {
    const res = await knock([['Knocker-Host', 'h'], ['X-Knocker', '0.1.0'], ['Knocker-Id', 'looped']]);
    expect(res.status).toBe(406);
    expect(res.json()).toMatchObject({ status: false, code: 'loop_detected', errors: { 'x-knocker': [expect.any(String)] } });
    expect(await stored('looped')).toBeUndefined();
  });

  it('refuses a body over MAX_BODY_SIZE with 413, declared or streamed', async () => {
    const declared = await knock([['Knocker-Host', 'h'], ['Knocker-Id', 'big']], { body: Buffer.alloc(1001) });
    expect(declared.status).toBe(413);
    expect(declared.json()).toEqual({ status: false, code: 'payload_too_large', errors: { body: ['must be at most 1000 bytes (MAX_BODY_SIZE)'] } });
    const chunked = await knock([['Knocker-Host', 'h'], ['Knocker-Id', 'big'], ['Transfer-Encoding', 'chunked']], { body: Buffer.alloc(5000) });
    expect(chunked.status).toBe(413);
    expect(await stored('big')).toBeUndefined();
    const atLimit = await knock([['Knocker-Host', 'h'], ['Knocker-Id', 'at-limit']], { body: Buffer.alloc(1000) });
    expect(atLimit.status).toBe(200);
  });
});

describe('reserved routes without ADMIN_API_KEY', () => {
  it('answers the admin routes with 403 and never relays them', async () => {
    for (const [method, path] of [['GET', '/knocker/requests/ingress-1'], ['POST', '/knocker/requests/ingress-1/retry'], ['DELETE', '/knocker/requests/x']]) {
      const res = await knock([['Knocker-Host', 'h'], ['Knocker-Admin-Key', 'anything-at-all-0000']], { method, path });
      expect([method, res.status, res.json()]).toEqual([method, 403, {
        status: false, code: 'admin_disabled', errors: { 'knocker-admin-key': [expect.stringMatching(/set ADMIN_API_KEY/)] },
      }]);
    }
  });

  it('still takes log lines from whoever knows the id', async () => {
    const res = await request(`${api.url}/knocker/log?id=ingress-1`, { method: 'POST', body: 'line' });
    expect(res.json()).toEqual({ status: true, id: 'ingress-1', lines: 1 });
  });
});

describe('status', () => {
  it('reports the version, the processed total and the queue counts', async () => {
    const res = await request(`${api.url}/knocker/status`);
    expect(res.status).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ status: true, version: KNOCKER_VERSION, processed: 0, delivered: 0, failed: 0 });
    expect(body.queues.requests.waiting).toBe((await queues.delivery.getJobCounts()).waiting);
    expect(body.queues.requests.waiting).toBeGreaterThan(0);
  });

  it("has Knocker's worker (the answering process) and tasks (requests waiting, delayed or active)", async () => {
    const body = (await request(`${api.url}/knocker/status`)).json();
    expect(body.worker).toBe(`${hostname()}:${api.pid}`);
    const counts = await queues.delivery.getJobCounts();
    expect(body.tasks).toBe(counts.waiting! + counts.prioritized! + counts.delayed! + counts.active!);
    expect(body.tasks).toBeGreaterThan(0);
    // A request waiting for its next attempt is a task too (seen once the status page's
    // second-long cache has expired).
    await queues.delivery.add('delayed', {} as never, { delay: 60_000 });
    const after = await waitFor(async () => {
      const b = (await request(`${api.url}/knocker/status`)).json();
      return b.queues.requests.delayed === counts.delayed! + 1 && b;
    }, { what: 'the new delayed request in the status', timeoutMs: 5000 });
    expect(after.tasks).toBe(body.tasks + 1);
  });

  it('answers other methods on the status path with 405, since it lies under RESERVED_PREFIX', async () => {
    const res = await knock([['Knocker-Host', 'h'], ['Knocker-Id', 'status-post']], { method: 'POST', path: '/knocker/status' });
    expect([res.status, res.headers.allow]).toEqual([405, 'GET']);
    expect(res.json()).toMatchObject({ status: false, code: 'method_not_allowed' });
    expect(await stored('status-post')).toBeUndefined();
  });
});

describe('unknown paths under RESERVED_PREFIX', () => {
  it.each([['GET', '/knocker/nothing-here'], ['POST', '/knocker/nope'], ['GET', '/knocker'], ['PUT', '/KNOCKER/status/x'], ['POST', '/knocker/nothing/a.example?x=1']])(
    '%s %s answers 404 naming the prefix, not the relay', async (method, path) => {
      const before = await queues.delivery.count();
      const res = await knock([['Knocker-Host', 'h']], { method, path });
      expect(res.status).toBe(404);
      expect(res.json()).toEqual({ status: false, code: 'not_found', errors: { path: [expect.stringMatching(/^no such route; \/knocker holds Knocker's own routes \(docs\/requests\.md\)/)] } });
      const bare = await knock([], { method, path });
      expect([bare.status, bare.json().code]).toEqual([404, 'not_found']);
      expect(await queues.delivery.count()).toBe(before);
    });

  it('leaves paths that only start like the prefix to the relay', async () => {
    const res = await knock([['Knocker-Host', 'h']], { path: '/knockers/x' });
    expect(res.json()).toMatchObject({ status: true, url: 'http://h/knockers/x' });
  });
});
