import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  freePort, openApiChecker, request, sharedRedisUrl, sleep, startApi, startWorker, stopAll, targetPool, uniquePrefix, waitFor,
  type ApiProcess, type ChildHandle, type OpenApiChecker, type RequestOptions,
} from '@knocker/test-kit';
import { rawBytes, rawRequest } from './raw.js';

// Drives every route of a real api (and workers, a target, a callback receiver) and checks every
// answer against the document the api serves: the document cannot say one thing while the code
// does another. At the end, every answer the document describes must have been seen.
const ADMIN_KEY = 'admin-key-for-openapi-0123456789';
const API_KEY = 'api-key-for-openapi-0123456789';
const prefix = uniquePrefix('openapi');
const targets = targetPool();
let api: ApiProcess;
let offline: ApiProcess;
let worker: ChildHandle;
let doc: any;
let checker: OpenApiChecker;

beforeAll(async () => {
  const opts = { redisUrl: sharedRedisUrl(), prefix };
  [api, worker, offline] = await Promise.all([
    startApi({ ...opts, env: {
      ADMIN_API_KEY: ADMIN_KEY, KNOCKER_API_KEYS: API_KEY, RETRIES_MAX: '7', MAX_BODY_SIZE: '1024', MAX_INFLIGHT: '1', READ_TIMEOUT: '2',
      REQUEST_LOG_MAX_LINES: '1', SCHEDULES_MAX: '2', HOST_CONCURRENCY: '100',
    } }),
    startWorker(opts),
    // Redis unreachable, no admin key, a health key and detailed health: the answers of a broken or locked api.
    freePort().then((port) => startApi({ redisUrl: `redis://127.0.0.1:${port}`, prefix, env: { HEALTH_API_KEY: 'health-key', HEALTH_DETAILED: 'true', REDIS_TIMEOUT_MS: '200' } })),
  ]);
  doc = (await request(`${api.url}/knocker/openapi.json`)).json();
  checker = openApiChecker(doc);
}, 120_000);

afterAll(async () => {
  await Promise.all([stopAll([api, worker, offline].filter(Boolean)), targets.closeAll()]);
});

/** Sends, checks the answer against the document, and returns it. */
async function call(base: string, method: string, path: string, opts: RequestOptions = {}) {
  const res = await request(`${base}${path}`, { ...opts, method });
  checker.check(method, path, { status: res.status, headers: res.headers, text: res.text });
  return res;
}
const relay = (target: string, headers: Record<string, string> = {}, body = '{"n":1}', method = 'POST') =>
  call(api.url, method, '/hook?x=1', { headers: { 'Knocker-Api-Key': API_KEY, 'Knocker-Host': target, 'Knocker-Backoff-Factor': '0', ...headers }, body: method === 'GET' ? undefined : body });
const toGroup = (group: string, headers: Record<string, string> = {}) =>
  call(api.url, 'POST', '/hook?x=1', { headers: { 'Knocker-Api-Key': API_KEY, 'Knocker-Group': group, ...headers }, body: '{"n":1}' });
const admin = (method: string, path: string, base = api.url, key: string | null = ADMIN_KEY, body?: string) =>
  call(base, method, `/knocker${path}`, { headers: key === null ? {} : { 'Knocker-Admin-Key': key }, body });
const stateOf = async (id: string) => (await admin('GET', `/requests/${id}`)).json().state;
/** The headers a webhook's parameters say it carries: the required ones, and none of the others (signing is off here). */
function expectHeaders(webhook: string, headers: Record<string, unknown>) {
  const params: Array<{ name: string; required: boolean }> = doc.webhooks[webhook].post.parameters;
  expect(params.filter((p) => !p.required).map((p) => p.name)).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
  for (const p of params) expect([webhook, p.name, headers[p.name]]).toEqual([webhook, p.name, p.required ? expect.any(String) : undefined]);
}

describe('the served document', () => {
  it('is built from the running configuration', () => {
    const retries = doc.paths['/{path}'].parameters.find((p: any) => p.name === 'Knocker-Retries');
    expect(retries.schema.maximum).toBe(7);
    expect(doc.openapi).toBe('3.1.0');
  });
});

describe('every answer matches the document', () => {
  it('relays: accepted, duplicate, every method, and each refusal', async () => {
    const t = await targets.start();
    const cb = await targets.start();
    expect((await relay(t.host, { 'Knocker-Id': 'oa-1', 'Knocker-Callback': `${cb.url}/failed`, 'Knocker-Trace': 'abc' })).status).toBe(200);
    expect((await relay(t.host, { 'Knocker-Id': 'oa-1' })).json().duplicate).toBe(true);
    for (const method of ['GET', 'PUT', 'PATCH', 'DELETE']) expect((await relay(t.host, {}, '', method)).status).toBe(200);
    expect((await relay(t.host, { 'Knocker-Retries': '8', 'Knocker-Scheme': 'ftp' })).status).toBe(400);
    expect((await relay(t.host, { 'Knocker-Api-Key': 'wrong-key-0123456789' })).status).toBe(401);
    expect((await relay(t.host, { 'x-knocker': '0.1.0' })).status).toBe(406);
    expect((await relay(t.host, {}, 'x'.repeat(2000))).status).toBe(413);
    expect((await call(api.url, 'POST', '/knocker/nothing', { headers: { 'Knocker-Host': t.host } })).status).toBe(404);
    const delayed = await relay(t.host, { 'Knocker-Id': 'oa-delayed', 'Knocker-Delay': '1h' });
    expect(delayed.json().not_before).toEqual(expect.any(String));
    expect((await admin('GET', '/requests/oa-delayed')).json()).toMatchObject({ state: 'delayed', not_before: delayed.json().not_before });

    // The target sees the delivery headers the document describes; the signature's only with SIGNING_SECRETS.
    const [delivered] = await t.waitForRequests(1);
    expectHeaders('delivery', delivered?.headers ?? {});
  });

  it('relays: malformed, oversized headers, saturation and a slow client', async () => {
    for (const [bytes, status] of [
      [rawBytes('POST', '/x', [['Knocker-Host', 'a\u0001b']], Buffer.alloc(0)), 400],
      [rawBytes('POST', '/x', [['X-Big', 'x'.repeat(20_000)]], Buffer.alloc(0)), 431],
    ] as const) {
      const res = await rawRequest(api.port, bytes);
      expect(res.status).toBe(status);
      checker.check('POST', '/x', { status: res.status, headers: res.headers, text: res.body });
    }
    // One request stalls in its body: MAX_INFLIGHT (1) refuses the next, READ_TIMEOUT ends the first.
    const stalled = net.connect(api.port, '127.0.0.1');
    let answer = '';
    stalled.on('data', (c: Buffer) => (answer += c.toString()));
    stalled.on('error', () => undefined);
    await new Promise((r) => stalled.once('connect', r));
    stalled.write(`POST /slow HTTP/1.1\r\nHost: x\r\nKnocker-Api-Key: ${API_KEY}\r\nKnocker-Host: a.example\r\nContent-Length: 10\r\n\r\nab`);
    await sleep(200);
    expect((await relay('a.example')).status).toBe(429);
    // Knocker's own routes share the gate (health and metrics do not): each answers 429 too.
    const gated = checker.documented().filter((a) => a.endsWith(' 429') && !a.includes('{path}'));
    expect(gated.length).toBeGreaterThan(10);
    for (const answer of gated) {
      const [method = '', template = ''] = answer.split(' ');
      const path = template.replace(/\{\w+\}/g, 'x') + (template.endsWith('/log') ? '?id=x' : '');
      const headers = { 'Knocker-Admin-Key': ADMIN_KEY, 'Knocker-Api-Key': API_KEY };
      expect([answer, (await call(api.url, method, path, { headers, body: method === 'GET' ? undefined : 'x' })).status]).toEqual([answer, 429]);
    }
    await waitFor(() => answer.includes('\r\n\r\n') && answer.includes('}'), { what: 'the 408', timeoutMs: 15_000 });
    stalled.destroy();
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    const headers = Object.fromEntries(head.split('\r\n').slice(1).map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
    checker.check('POST', '/slow', { status: Number(head.slice(9, 12)), headers, text: body });
  });

  it('inspects, replays, cancels and logs', async () => {
    const ok = await targets.start();
    const failing = await targets.start(() => ({ status: 500 }));
    const cb = await targets.start();
    await relay(ok.host, { 'Knocker-Id': 'oa-ok', 'Knocker-Success-Callback': `${cb.url}/delivered` });
    await relay(failing.host, { 'Knocker-Id': 'oa-failed', 'Knocker-Retries': '0', 'Knocker-Callback': `${cb.url}/failed`, 'Knocker-Catch': 'x.*' });
    await waitFor(async () => (await stateOf('oa-ok')) === 'delivered' && (await stateOf('oa-failed')) === 'failed', { what: 'both settled', timeoutMs: 20_000 });
    const calls = await cb.waitForRequests(2, 20_000);
    const callback = calls.find((c) => c.url === '/failed');
    const success = calls.find((c) => c.url === '/delivered');
    checker.checkWebhook('failureCallback', JSON.parse(callback?.body.toString() ?? ''));
    checker.checkWebhook('successCallback', JSON.parse(success?.body.toString() ?? ''));
    expectHeaders('failureCallback', callback?.headers ?? {});
    expectHeaders('successCallback', success?.headers ?? {});
    await waitFor(async () => (await admin('GET', '/requests/oa-failed')).json().callback.state === 'sent', { what: 'callback sent' });
    await waitFor(async () => (await admin('GET', '/requests/oa-ok')).json().success_callback?.state === 'sent', { what: 'success callback sent' });

    // KNOCKER_API_KEYS is set: a log line needs one of the keys.
    const log = (id: string, body: string, headers: Record<string, string> = { 'Knocker-Api-Key': API_KEY }) => call(api.url, 'POST', `/knocker/log?id=${id}`, { body, headers });
    expect((await log('oa-ok', 'no key', {})).status).toBe(401);
    expect((await log('oa-ok', 'a line\n')).status).toBe(200);
    expect((await log('oa-ok', 'one too many')).status).toBe(413);
    expect((await log('oa-ok', '')).status).toBe(400);
    expect((await log('oa-none', 'x')).status).toBe(404);
    expect((await admin('POST', '/requests/oa-ok/retry')).status).toBe(409);
    expect((await admin('POST', '/requests/oa-failed/retry')).status).toBe(200);
    expect((await admin('DELETE', '/requests/oa-ok')).status).toBe(409);
    for (const [method, path] of [['GET', '/requests/ID'], ['DELETE', '/requests/ID'], ['POST', '/requests/ID/retry']] as const) {
      expect((await admin(method, path.replace('ID', 'bad:id'))).status).toBe(400);
      expect((await admin(method, path.replace('ID', 'oa-ok'), api.url, 'wrong-admin-key-0123456789')).status).toBe(401);
      expect((await admin(method, path.replace('ID', 'oa-ok'), offline.url)).status).toBe(403);
      expect((await admin(method, path.replace('ID', 'oa-none'))).status).toBe(404);
    }

    // A request waiting between attempts can be cancelled.
    await relay(failing.host, { 'Knocker-Id': 'oa-wait', 'Knocker-Retries': '3', 'Knocker-Backoff-Factor': '60' });
    await waitFor(async () => (await stateOf('oa-wait')) === 'delayed', { what: 'oa-wait delayed', timeoutMs: 20_000 });
    expect((await admin('DELETE', '/requests/oa-wait')).status).toBe(200);

    // Other methods on reserved routes: 405, the answer each documented operation of the path lists.
    for (const [method, path, documented] of [['PUT', '/knocker/requests/oa-ok', ['GET', 'DELETE']], ['GET', '/knocker/requests/oa-ok/retry', ['POST']], ['GET', '/knocker/log?id=oa-ok', ['POST']],
      ['POST', '/knocker/status', ['GET']], ['PUT', '/knocker/openapi.json', ['GET']]] as const) {
      const res = await request(`${api.url}${path}`, { method, headers: { 'Knocker-Admin-Key': ADMIN_KEY } });
      expect(res.status).toBe(405);
      for (const m of documented) checker.check(m, path, { status: res.status, headers: res.headers, text: res.text });
    }
  }, 90_000);

  it('schedules: created by Knocker-Cron, listed, inspected, paused, resumed, deleted', async () => {
    const t = await targets.start();
    const cron = (id: string, expression: string) => relay(t.host, { 'Knocker-Id': id, 'Knocker-Cron': expression });
    expect((await cron('oa-sched-1', '* * * * * *')).json().schedule).toMatchObject({ id: 'oa-sched-1', state: 'active' });
    expect((await cron('oa-sched-2', 'CRON_TZ=Europe/Paris 0 9 * * MON-FRI')).status).toBe(200);
    expect((await cron('oa-sched-2', '0 10 * * MON-FRI')).json().replaced).toBe(true);
    expect((await cron('oa-sched-3', '0 9 * * *')).status).toBe(409);
    expect((await admin('GET', '/schedules')).json().schedules).toHaveLength(2);
    await waitFor(async () => (await admin('GET', '/schedules/oa-sched-1')).json().last_requests.length > 0, { what: 'a tick', timeoutMs: 20_000 });

    expect((await admin('POST', '/schedules/oa-sched-1/pause')).json()).toEqual({ status: true, id: 'oa-sched-1', state: 'paused', next: null });
    expect((await admin('GET', '/schedules/oa-sched-1')).json().schedule).toMatchObject({ state: 'paused', next_ticks: [] });
    expect((await admin('POST', '/schedules/oa-sched-1/resume')).json()).toMatchObject({ state: 'active', next: expect.any(String) });
    for (const id of ['oa-sched-1', 'oa-sched-2']) expect((await admin('DELETE', `/schedules/${id}`)).json()).toEqual({ status: true, id, state: 'deleted' });

    for (const [method, path] of [['GET', '/schedules/ID'], ['DELETE', '/schedules/ID'], ['POST', '/schedules/ID/pause'], ['POST', '/schedules/ID/resume']] as const) {
      expect((await admin(method, path.replace('ID', 'bad:id'))).status).toBe(400);
      expect((await admin(method, path.replace('ID', 'oa-sched-1'))).status).toBe(404);
    }
    for (const [method, path] of [['GET', '/schedules'], ['GET', '/schedules/x'], ['DELETE', '/schedules/x'], ['POST', '/schedules/x/pause'], ['POST', '/schedules/x/resume']] as const) {
      expect((await admin(method, path, api.url, 'wrong-admin-key-0123456789')).status).toBe(401);
      expect((await admin(method, path, offline.url)).status).toBe(403);
    }
    for (const [method, path, documented] of [['PUT', '/knocker/schedules', ['GET']], ['PATCH', '/knocker/schedules/x', ['GET', 'DELETE']],
      ['GET', '/knocker/schedules/x/pause', ['POST']], ['DELETE', '/knocker/schedules/x/resume', ['POST']]] as const) {
      const res = await request(`${api.url}${path}`, { method, headers: { 'Knocker-Admin-Key': ADMIN_KEY } });
      expect(res.status).toBe(405);
      for (const m of documented) checker.check(m, path, { status: res.status, headers: res.headers, text: res.text });
    }
  }, 60_000);

  it('groups: defined, read, changed one endpoint at a time, relayed to, deleted', async () => {
    const t = await targets.start();
    const json = (value: unknown) => JSON.stringify(value);
    expect((await admin('PUT', '/groups/oa-group', api.url, ADMIN_KEY, json({ endpoints: [{ name: 'a', url: `http://${t.host}/in` }] }))).status).toBe(200);
    expect((await admin('PUT', '/groups/oa-group', api.url, ADMIN_KEY, json({ endpoints: [{ name: 'a', url: `http://${t.host}` }] }))).json().replaced).toBe(true);
    expect((await admin('PUT', '/groups/oa-group/endpoints/b', api.url, ADMIN_KEY, json({ url: `http://${t.host}/b` }))).status).toBe(200);
    expect((await admin('GET', '/groups')).json().groups).toHaveLength(1);
    expect((await admin('GET', '/groups/oa-group')).json().group.endpoints).toHaveLength(2);
    const fanned = await toGroup('oa-group', { 'Knocker-Id': 'oa-fan' });
    expect(fanned.json().requests.map((r: { id: string }) => r.id)).toEqual(['oa-fan~~a', 'oa-fan~~b']);
    expect((await toGroup('oa-group', { 'Knocker-Id': 'oa-fan' })).json().duplicate).toBe(true);
    expect((await admin('GET', '/requests/oa-fan~~b')).status).toBe(200);
    expect((await admin('DELETE', '/groups/oa-group/endpoints/b')).status).toBe(200);

    await admin('PUT', '/groups/oa-empty/endpoints/a', api.url, ADMIN_KEY, json({ url: `http://${t.host}` }));
    await admin('DELETE', '/groups/oa-empty/endpoints/a');
    expect((await toGroup('oa-empty')).status).toBe(409);
    expect((await toGroup('oa-nobody')).status).toBe(404);

    for (const [method, path, body] of [['GET', '/groups/ID', undefined], ['PUT', '/groups/ID', '{}'], ['DELETE', '/groups/ID', undefined],
      ['PUT', '/groups/ID/endpoints/e', '{}'], ['DELETE', '/groups/ID/endpoints/e', undefined]] as const) {
      expect((await admin(method, path.replace('ID', '.bad'), api.url, ADMIN_KEY, body)).status).toBe(400);
    }
    for (const [method, path] of [['GET', '/groups/oa-nobody'], ['DELETE', '/groups/oa-nobody'], ['DELETE', '/groups/oa-group/endpoints/zz']] as const) {
      expect((await admin(method, path)).status).toBe(404);
    }
    for (const path of ['/groups/oa-big', '/groups/oa-big/endpoints/e']) expect((await admin('PUT', path, api.url, ADMIN_KEY, 'x'.repeat(65 * 1024))).status).toBe(413);
    const many = Array.from({ length: 64 }, (_, i) => ({ name: `e${i}`, url: `http://${t.host}` }));
    expect((await admin('PUT', '/groups/oa-group', api.url, ADMIN_KEY, json({ endpoints: many }))).status).toBe(200);
    expect((await admin('PUT', '/groups/oa-group/endpoints/one-more', api.url, ADMIN_KEY, json({ url: `http://${t.host}` }))).status).toBe(409);
    // GROUPS_MAX: fill up to it, then one more is refused.
    const existing = (await admin('GET', '/groups')).json().groups.length;
    for (let i = existing; i < 200; i++) await request(`${api.url}/knocker/groups/oa-fill-${i}`, { method: 'PUT', headers: { 'Knocker-Admin-Key': ADMIN_KEY }, body: json({ endpoints: [] }) });
    expect((await admin('PUT', '/groups/oa-over', api.url, ADMIN_KEY, json({ endpoints: [] }))).status).toBe(409);
    for (let i = existing; i < 200; i++) await request(`${api.url}/knocker/groups/oa-fill-${i}`, { method: 'DELETE', headers: { 'Knocker-Admin-Key': ADMIN_KEY } });
    expect((await admin('DELETE', '/groups/oa-empty')).json()).toEqual({ status: true, name: 'oa-empty', state: 'deleted' });

    for (const [method, path] of [['GET', '/groups'], ['GET', '/groups/x'], ['PUT', '/groups/x'], ['DELETE', '/groups/x'], ['PUT', '/groups/x/endpoints/e'], ['DELETE', '/groups/x/endpoints/e']] as const) {
      expect((await admin(method, path, api.url, 'wrong-admin-key-0123456789')).status).toBe(401);
      expect((await admin(method, path, offline.url)).status).toBe(403);
    }
    for (const [method, path, documented] of [['POST', '/knocker/groups', ['GET']], ['PATCH', '/knocker/groups/x', ['GET', 'PUT', 'DELETE']],
      ['GET', '/knocker/groups/x/endpoints/e', ['PUT', 'DELETE']]] as const) {
      const res = await request(`${api.url}${path}`, { method, headers: { 'Knocker-Admin-Key': ADMIN_KEY } });
      expect(res.status).toBe(405);
      for (const m of documented) checker.check(m, path, { status: res.status, headers: res.headers, text: res.text });
    }
  }, 60_000);

  it('hosts: listed, paused and resumed; bulk replay of failed requests', async () => {
    const failing = await targets.start(() => ({ status: 503 }));
    expect((await admin('POST', '/hosts/oa-key/pause')).json()).toEqual({ status: true, key: 'oa-key', paused: true });
    expect((await admin('GET', '/hosts')).json()).toMatchObject({ flow_control: true, hosts: expect.arrayContaining([expect.objectContaining({ key: 'oa-key', paused: true })]) });
    expect((await admin('POST', '/hosts/oa-key/resume')).json()).toEqual({ status: true, key: 'oa-key', paused: false });
    for (const action of ['pause', 'resume']) expect((await admin('POST', `/hosts/%20bad/${action}`)).status).toBe(400);

    await relay(failing.host, { 'Knocker-Id': 'oa-bulk', 'Knocker-Retries': '0' });
    await waitFor(async () => (await stateOf('oa-bulk')) === 'failed', { what: 'oa-bulk failed', timeoutMs: 20_000 });
    const replayed = await admin('POST', '/requests/retry', api.url, ADMIN_KEY, JSON.stringify({ host: failing.host, status_code: 503, limit: 10 }));
    expect(replayed.json()).toEqual({ status: true, replayed: 1, more: false, ids: ['oa-bulk'] });
    expect((await admin('POST', '/requests/retry', api.url, ADMIN_KEY, '{"limit": 0, "colour": "red"}')).json().errors).toEqual({ limit: [expect.any(String)], colour: [expect.any(String)] });
    expect((await admin('POST', '/requests/retry', api.url, ADMIN_KEY, 'x'.repeat(17 * 1024))).status).toBe(413);

    const flowOff = await startApi({ redisUrl: sharedRedisUrl(), prefix, env: { ADMIN_API_KEY: ADMIN_KEY } });
    try {
      expect((await admin('POST', '/hosts/oa-key/pause', flowOff.url)).json().code).toBe('flow_control_off');
      expect((await admin('POST', '/hosts/oa-key/resume', flowOff.url)).status).toBe(409);
    } finally {
      await flowOff.kill();
    }
    for (const [method, path] of [['GET', '/hosts'], ['POST', '/hosts/k/pause'], ['POST', '/hosts/k/resume'], ['POST', '/requests/retry']] as const) {
      expect((await admin(method, path, api.url, 'wrong-admin-key-0123456789')).status).toBe(401);
      expect((await admin(method, path, offline.url)).status).toBe(403);
    }
  }, 60_000);

  it('status, health, metrics and the document itself, up and down', async () => {
    expect((await call(api.url, 'GET', '/knocker/status')).status).toBe(200);
    expect((await call(api.url, 'GET', '/knocker/openapi.json')).status).toBe(200);
    expect((await call(api.url, 'GET', '/metrics')).status).toBe(200);
    await waitFor(async () => (await call(api.url, 'GET', '/hc')).status === 200, { what: 'a healthy api' });
    expect((await call(api.url, 'GET', '/hc/_self')).status).toBe(200);
    expect((await call(api.url, 'GET', '/hc/nope')).status).toBe(404);

    // Redis down: 503 everywhere it is needed, detailed health, a health key.
    expect((await call(offline.url, 'GET', '/hc?api-key=health-key')).status).toBe(503);
    expect((await call(offline.url, 'GET', '/hc/redis?api-key=health-key')).status).toBe(503);
    expect((await call(offline.url, 'GET', '/hc')).status).toBe(401);
    expect((await call(offline.url, 'GET', '/hc/_self')).status).toBe(401);
    expect((await call(offline.url, 'GET', '/knocker/status')).status).toBe(503);
    expect((await call(offline.url, 'POST', '/hook', { headers: { 'Knocker-Host': 'a.example' }, body: 'x' })).status).toBe(503);
    expect((await call(offline.url, 'POST', '/knocker/log?id=x', { body: 'x' })).status).toBe(503);
    const adminOn = await startApi({ redisUrl: `redis://127.0.0.1:${await freePort()}`, prefix, env: { ADMIN_API_KEY: ADMIN_KEY, REDIS_TIMEOUT_MS: '200', HOST_CONCURRENCY: '5' } });
    try {
      for (const [method, path] of [['GET', '/requests/x'], ['DELETE', '/requests/x'], ['POST', '/requests/x/retry'], ['POST', '/requests/retry'],
        ['GET', '/schedules'], ['GET', '/schedules/x'], ['DELETE', '/schedules/x'], ['POST', '/schedules/x/pause'], ['POST', '/schedules/x/resume'],
        ['GET', '/hosts'], ['POST', '/hosts/k/pause'], ['POST', '/hosts/k/resume'],
        ['GET', '/groups'], ['GET', '/groups/x'], ['DELETE', '/groups/x'], ['DELETE', '/groups/x/endpoints/e']] as const) {
        expect((await admin(method, path, adminOn.url)).status).toBe(503);
      }
      expect((await admin('PUT', '/groups/x', adminOn.url, ADMIN_KEY, '{"endpoints": []}')).status).toBe(503);
      expect((await admin('PUT', '/groups/x/endpoints/e', adminOn.url, ADMIN_KEY, '{"url": "http://a.example"}')).status).toBe(503);
    } finally {
      await adminOn.kill();
    }
  }, 60_000);

  it('has seen every answer the document describes', () => {
    const seen = new Set(checker.seen());
    // Not provoked: unexpected errors, a stuck handler, refusals of the other relay methods,
    // which take the same path through the code as a POST's, and the document's one 503, which
    // only load shedding gives, past 64 requests in flight.
    const provoked = checker.documented().filter((a) => !/ (500|504)$/.test(a) && !/^(GET|PUT|PATCH|DELETE) \/\{path\} (?!200)/.test(a) && a !== 'GET /knocker/openapi.json 503');
    expect(provoked.filter((a) => !seen.has(a))).toEqual([]);
  });
});
