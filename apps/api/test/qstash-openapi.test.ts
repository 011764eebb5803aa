import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { openApiChecker, request, sharedRedisUrl, startApi, stopAll, uniquePrefix, type ApiProcess, type OpenApiChecker } from '@knocker/test-kit';

// The QStash door's answers against the document an api with the door on serves: every route
// it describes is driven here, each answer checked, and every documented answer seen at the end.
const TOKEN = 'qstash-token-openapi-0123456789';
const DOOR = '/knocker/qstash';
let api: ApiProcess;
let doc: any;
let checker: OpenApiChecker;

beforeAll(async () => {
  api = await startApi({ redisUrl: sharedRedisUrl(), prefix: uniquePrefix('qs-openapi'), env: {
    QSTASH_TOKENS: TOKEN, QSTASH_CURRENT_SIGNING_KEY: 'sig_openapi_current_0123456789', QSTASH_NEXT_SIGNING_KEY: 'sig_openapi_next_0123456789ab',
    MAX_BODY_SIZE: '1024', SCHEDULES_MAX: '1', BLOCK_PRIVATE_NETWORKS: 'true', ALLOWED_NETWORKS: '127.0.0.0/8',
  } });
  doc = (await request(`${api.url}/knocker/openapi.json`)).json();
  checker = openApiChecker(doc);
});
afterAll(async () => {
  await stopAll([api]);
});

/**
 * Sends to the door and checks the answer; `as` is the path the document names when the one
 * sent holds a raw destination (slashes and all), which a template segment cannot match.
 */
async function door(method: string, path: string, opts: { body?: string; headers?: Record<string, string>; as?: string; token?: string | null } = {}) {
  const auth: Record<string, string> = opts.token === null ? {} : { Authorization: `Bearer ${opts.token ?? TOKEN}` };
  const res = await request(`${api.url}${DOOR}${path}`, { method, headers: { ...auth, ...opts.headers }, body: opts.body });
  checker.check(method, `${DOOR}${opts.as ?? path}`, { status: res.status, headers: res.headers, text: res.text });
  return res;
}
const publish = (destination: string, headers: Record<string, string> = {}, body = '{"a":1}') =>
  door('POST', `/v2/publish/${destination}`, { headers: { 'Content-Type': 'application/json', ...headers }, body, as: '/v2/publish/x' });
const schedule = (headers: Record<string, string>, body = '{}') => door('POST', '/v2/schedules/http://127.0.0.1:9/tick', { headers, body, as: '/v2/schedules/x' });

describe('the QStash door in the served document', () => {
  it('describes the door\'s routes under the prefix, with its token', () => {
    expect(Object.keys(doc.paths).filter((p) => p.startsWith(`${DOOR}/v2/`)).length).toBeGreaterThan(10);
    expect(doc.components.securitySchemes.QstashToken).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('publishes, batches, reads and cancels messages as documented', async () => {
    const { messageId } = (await publish('http://127.0.0.1:9/x?y=1', { 'Upstash-Delay': '1h' })).json();
    expect((await publish('http://127.0.0.1:9/x', { 'Upstash-Deduplication-Id': 'oa-dedup' })).status).toBe(200);
    expect((await publish('http://127.0.0.1:9/x', { 'Upstash-Deduplication-Id': 'oa-dedup' })).status).toBe(202);
    expect((await publish('http://127.0.0.1:9/x', { 'Upstash-Retries': 'x' })).status).toBe(400);
    expect((await publish('no-such-group')).status).toBe(404);
    expect((await publish('http://127.0.0.1:9/x', {}, 'x'.repeat(1025))).status).toBe(413);

    const item = (destination: string) => ({ destination, headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect((await door('POST', '/v2/batch', { body: JSON.stringify([item('http://127.0.0.1:9/a'), item('http://127.0.0.1:9/b')]) })).status).toBe(200);
    expect((await door('POST', '/v2/batch', { body: '[]' })).status).toBe(400);
    expect((await door('POST', '/v2/batch', { body: JSON.stringify([item('no-such-group')]) })).status).toBe(404);
    expect((await door('POST', '/v2/batch', { body: 'x'.repeat(1025) })).status).toBe(413);

    expect((await door('GET', `/v2/messages/${messageId}`)).json()).toMatchObject({ messageId, state: 'CREATED' });
    expect((await door('DELETE', `/v2/messages/${messageId}`)).json()).toEqual({ cancelled: 1 });
    expect((await door('DELETE', `/v2/messages/${messageId}`)).status).toBe(400);
    for (const method of ['GET', 'DELETE']) expect((await door(method, '/v2/messages/msg_unknown')).status).toBe(404);
  });

  it('lists and retries the DLQ, answers the keys', async () => {
    expect((await door('GET', '/v2/dlq?count=5')).json()).toMatchObject({ messages: expect.any(Array) });
    expect((await door('GET', '/v2/dlq?count=0')).status).toBe(400);
    expect((await door('POST', '/v2/dlq/retry?dlqIds=msg_unknown')).json()).toEqual({ responses: [] });
    expect((await door('POST', '/v2/dlq/retry')).status).toBe(400);
    expect((await door('GET', '/v2/keys')).status).toBe(200);
  });

  it('creates, reads, pauses, resumes and deletes schedules', async () => {
    const { scheduleId } = (await schedule({ 'Upstash-Cron': '0 9 * * *' })).json();
    expect((await schedule({ 'Upstash-Cron': '0 10 * * *' })).status).toBe(409);
    expect((await schedule({})).status).toBe(400);
    expect((await schedule({ 'Upstash-Cron': '0 9 * * *' }, 'x'.repeat(1025))).status).toBe(413);
    expect((await door('GET', '/v2/schedules')).status).toBe(200);
    for (const id of [scheduleId, 'scd_unknown']) {
      const known = id === scheduleId;
      expect((await door('GET', `/v2/schedules/${id}`)).status).toBe(known ? 200 : 404);
      for (const method of ['PATCH', 'POST']) {
        for (const action of ['pause', 'resume']) expect((await door(method, `/v2/schedules/${id}/${action}`)).status).toBe(known ? 200 : 404);
      }
    }
    for (const status of [200, 404]) expect((await door('DELETE', `/v2/schedules/${scheduleId}`)).status).toBe(status);
  });

  it('adds, reads, removes and deletes URL groups', async () => {
    const endpoints = (list: unknown[]) => JSON.stringify({ endpoints: list });
    expect((await door('POST', '/v2/topics/oa-group/endpoints', { body: endpoints([{ name: 'a', url: 'http://127.0.0.1:9/a' }, { url: 'http://127.0.0.1:9/b' }]) })).status).toBe(200);
    expect((await door('POST', '/v2/topics/oa-group/endpoints', { body: endpoints([{ url: 'ftp://x' }]) })).status).toBe(400);
    expect((await door('GET', '/v2/topics')).status).toBe(200);
    expect((await door('GET', '/v2/topics/oa-group')).json()).toMatchObject({ name: 'oa-group', endpoints: [{ name: 'a' }, { url: 'http://127.0.0.1:9/b' }] });
    expect((await door('DELETE', '/v2/topics/oa-group/endpoints', { body: endpoints([{ name: 'a' }]) })).status).toBe(200);
    expect((await door('DELETE', '/v2/topics/oa-none/endpoints', { body: endpoints([{ name: 'a' }]) })).status).toBe(404);
    expect((await door('DELETE', '/v2/topics/oa-group/endpoints', { body: 'not json' })).status).toBe(400);
    for (const status of [200, 404]) expect((await door('DELETE', '/v2/topics/oa-group')).status).toBe(status);
    for (const method of ['GET', 'DELETE']) {
      expect((await door(method, '/v2/topics/oa-none')).status).toBe(404);
      expect((await door(method, '/v2/topics/.bad')).status).toBe(400);
    }
  });

  it('refuses every documented route without the token, with 401 JSON', async () => {
    const operations = checker.documented().filter((a) => a.includes(`${DOOR}/`) && a.endsWith(' 401'));
    expect(operations.length).toBeGreaterThanOrEqual(20);
    for (const answer of operations) {
      const [method = '', template = ''] = answer.split(' ');
      const path = template.slice(DOOR.length).replace(/\{\w+\}/g, 'x');
      expect([answer, (await door(method, path, { token: null, body: method === 'GET' ? undefined : '{}' })).status]).toEqual([answer, 401]);
    }
  });

  it('has seen every door answer the document describes, but the gate\'s, Redis\'s and the unexpected', () => {
    const seen = new Set(checker.seen());
    const door = checker.documented().filter((a) => a.includes(`${DOOR}/`) && !/ (429|503|500|504)$/.test(a));
    expect(door.filter((a) => !seen.has(a))).toEqual([]);
  });
});
