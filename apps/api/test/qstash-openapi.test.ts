import { Agent } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { LIMITED_KEYS_MAX } from '@knocker/flow';
import { QUEUES_MAX } from '@knocker/qstash';
import {
  openApiChecker, request, sharedRedisUrl, startApi, startWorker, stopAll, uniquePrefix, waitFor, type ApiProcess, type KnockerProcess, type OpenApiChecker,
} from '@knocker/test-kit';
import { BODY_BYTES_MAX } from '../src/qstash/dlq.js';

// The QStash door's answers against the document an api with the door on serves: every route
// it describes is driven here, each answer checked, and every documented answer seen at the end.
// A worker fails messages into the DLQ (nothing listens on port 9).
const TOKEN = 'qstash-token-openapi-0123456789';
const DOOR = '/knocker/qstash';
const DEAD = 'http://127.0.0.1:9';
let api: ApiProcess;
let worker: KnockerProcess;
let doc: any;
let checker: OpenApiChecker;

beforeAll(async () => {
  const prefix = uniquePrefix('qs-openapi');
  const env = {
    QSTASH_TOKENS: TOKEN, QSTASH_CURRENT_SIGNING_KEY: 'sig_openapi_current_0123456789', QSTASH_NEXT_SIGNING_KEY: 'sig_openapi_next_0123456789ab',
    MAX_BODY_SIZE: '1024', SCHEDULES_MAX: '1', BLOCK_PRIVATE_NETWORKS: 'true', ALLOWED_NETWORKS: '127.0.0.0/8', RETRIES_BACKOFF_FACTOR: '0',
  };
  [api, worker] = await Promise.all([startApi({ redisUrl: sharedRedisUrl(), prefix, env }), startWorker({ redisUrl: sharedRedisUrl(), prefix, env })]);
  doc = (await request(`${api.url}/knocker/openapi.json`)).json();
  checker = openApiChecker(doc);
}, 60_000);
afterAll(async () => {
  await stopAll([api, worker]);
});

/**
 * Sends to the door and checks the answer; `as` is the path the document names when the one
 * sent holds a raw destination (slashes and all), which a template segment cannot match.
 */
async function door(method: string, path: string, opts: { body?: string | Buffer; headers?: Record<string, string>; as?: string; token?: string | null } = {}) {
  const auth: Record<string, string> = opts.token === null ? {} : { Authorization: `Bearer ${opts.token ?? TOKEN}` };
  const res = await request(`${api.url}${DOOR}${path}`, { method, headers: { ...auth, ...opts.headers }, body: opts.body });
  checker.check(method, `${DOOR}${opts.as ?? path}`, { status: res.status, headers: res.headers, text: res.text });
  return res;
}
const publish = (destination: string, headers: Record<string, string> = {}, body: string | Buffer = '{"a":1}') =>
  door('POST', `/v2/publish/${destination}`, { headers: { 'Content-Type': 'application/json', ...headers }, body, as: '/v2/publish/x' });
const enqueue = (queue: string, destination: string, headers: Record<string, string> = {}, body = '{"a":1}') =>
  door('POST', `/v2/enqueue/${queue}/${destination}`, { headers: { 'Content-Type': 'application/json', ...headers }, body, as: '/v2/enqueue/q/x' });
const batch = (items: unknown[]) => door('POST', '/v2/batch', { body: JSON.stringify(items) });
const schedule = (headers: Record<string, string>, body = '{}') => door('POST', '/v2/schedules/http://127.0.0.1:9/tick', { headers, body, as: '/v2/schedules/x' });

describe('the QStash door in the served document', () => {
  it('describes the door\'s routes under the prefix, with its token and the bounds the door keeps', () => {
    expect(Object.keys(doc.paths).filter((p) => p.startsWith(`${DOOR}/v2/`)).length).toBeGreaterThan(25);
    expect(doc.components.securitySchemes.QstashToken).toMatchObject({ type: 'http', scheme: 'bearer' });
    const text = JSON.stringify(doc);
    for (const bound of [`${QUEUES_MAX} queues exist`, `past the ${LIMITED_KEYS_MAX} that hold`, `pass ${BODY_BYTES_MAX} bytes`]) expect(text).toContain(bound);
  });

  it('publishes, enqueues, batches, reads and cancels messages as documented', async () => {
    const settings = {
      'Upstash-Delay': '1h', 'Upstash-Label': 'oa-a,oa-b', 'Upstash-Flow-Control-Key': 'oa-key', 'Upstash-Flow-Control-Value': 'parallelism=2, rate=5, period=10',
      'Upstash-Retry-Delay': '1000 * pow(2, retried)', 'Upstash-Forward-X-Oa': 'yes', 'Upstash-Callback': `${DEAD}/cb`,
      'Upstash-Callback-Retries': '1', 'Upstash-Callback-Method': 'PUT', 'Upstash-Callback-Delay': '5s', 'Upstash-Callback-Forward-X-Cb': 'c',
    };
    const { messageId } = (await publish(`${DEAD}/x?y=1`, settings)).json();
    expect((await publish(`${DEAD}/x`, { 'Upstash-Deduplication-Id': 'oa-dedup' })).status).toBe(200);
    expect((await publish(`${DEAD}/x`, { 'Upstash-Deduplication-Id': 'oa-dedup' })).status).toBe(202);
    const refusals: Array<Record<string, string>> = [
      { 'Upstash-Retries': 'x' }, { 'Upstash-Retry-Delay': 'pow(' }, { 'Upstash-Callback-Retries': '1' }, { 'Upstash-Redact-Fields': 'body' }, { 'Upstash-Queue-Name': 'q' },
    ];
    for (const refused of refusals) {
      expect([refused, (await publish(`${DEAD}/x`, refused)).status]).toEqual([refused, 400]);
    }
    expect((await publish('no-such-group')).status).toBe(404);
    expect((await publish(`${DEAD}/x`, {}, 'x'.repeat(1025))).status).toBe(413);

    const read = (await door('GET', `/v2/messages/${messageId}`)).json();
    expect(read).toMatchObject({
      messageId, state: 'CREATED', url: `${DEAD}/x?y=1`, body: '{"a":1}', label: 'oa-a', labels: ['oa-a', 'oa-b'], flowControlKey: 'oa-key',
      parallelism: 2, rate: 5, period: 10, retryDelayExpression: '1000 * pow(2, retried)', callback: `${DEAD}/cb`, maxRetries: 3,
    });
    expect(read.header).toMatchObject({ 'X-Oa': ['yes'], 'Content-Type': ['application/json'] });
    expect(read.notBefore - read.createdAt).toBeGreaterThan(3_500_000);
    const binary = (await publish(`${DEAD}/x`, { 'Upstash-Delay': '1h' }, Buffer.from([0xff, 0xfe]))).json().messageId;
    expect((await door('GET', `/v2/messages/${binary}`)).json()).toMatchObject({ bodyBase64: '//4=' });
    expect((await door('GET', `/v2/messages/${binary}`)).json().body).toBeUndefined();

    const queued = (await enqueue('oa-line', `${DEAD}/q`, { 'Upstash-Delay': '1h' })).json().messageId;
    expect((await door('GET', `/v2/messages/${queued}`)).json()).toMatchObject({ queueName: 'oa-line' });
    expect((await enqueue('oa-line', `${DEAD}/q`, { 'Upstash-Deduplication-Id': 'oa-dedup-q' })).status).toBe(200);
    expect((await enqueue('oa-line', `${DEAD}/q`, { 'Upstash-Deduplication-Id': 'oa-dedup-q' })).status).toBe(202);
    expect((await enqueue('.bad', `${DEAD}/q`)).json().error).toMatch(/^queue: /);
    expect((await enqueue('oa-line', 'no-such-group')).status).toBe(404);
    expect((await enqueue('oa-line', `${DEAD}/q`, {}, 'x'.repeat(1025))).status).toBe(413);

    const item = (destination: string, queue?: string) => ({ destination, headers: { 'content-type': 'text/plain', 'upstash-delay': '1h' }, body: 'hi', ...(queue ? { queue } : {}) });
    const [, inLine] = (await batch([item(`${DEAD}/a`), item(`${DEAD}/b`, 'oa-line')])).json();
    expect((await door('GET', `/v2/messages/${inLine.messageId}`)).json()).toMatchObject({ queueName: 'oa-line', body: 'hi' });
    expect((await door('POST', '/v2/batch', { body: '[]' })).status).toBe(400);
    expect((await batch([item('no-such-group')])).status).toBe(404);
    expect((await door('POST', '/v2/batch', { body: 'x'.repeat(1025) })).status).toBe(413);

    expect((await door('DELETE', `/v2/messages/${messageId}`)).json()).toEqual({ cancelled: 1 });
    expect((await door('DELETE', `/v2/messages/${messageId}`)).status).toBe(400);
    for (const method of ['GET', 'DELETE']) expect((await door(method, '/v2/messages/msg_unknown')).status).toBe(404);
  });

  it('cancels messages in bulk, by id or by filter', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) ids.push((await publish(`${DEAD}/bulk`, { 'Upstash-Delay': '1h', 'Upstash-Label': 'oa-bulk' })).json().messageId);
    expect((await door('DELETE', '/v2/messages?label=oa-bulk&count=2')).json()).toEqual({ cancelled: 2 });
    expect((await door('DELETE', `/v2/messages?${ids.map((id) => `messageIds=${id}`).join('&')}`)).json()).toEqual({ cancelled: 1 });
    for (const bad of ['count=501', 'messageIds=a&label=x', 'queueName=q', 'fromDate=2&toDate=1', 'state=x']) {
      expect([bad, (await door('DELETE', `/v2/messages?${bad}`)).status]).toEqual([bad, 400]);
    }
  });

  it('tells the logs, filtered, paged and for named messages', async () => {
    const { messageId } = (await publish(`${DEAD}/log`, { 'Upstash-Delay': '1h', 'Upstash-Label': 'oa-log' })).json();
    const expected = { messageId, state: 'CREATED', url: `${DEAD}/log` };
    expect((await door('GET', '/v2/events?label=oa-log&count=1000&state=CREATED')).json().events).toEqual([expect.objectContaining({ ...expected, label: 'oa-log' })]);
    expect((await door('GET', `/v2/events?messageIds=${messageId}`)).json().events).toEqual([expect.objectContaining(expected)]);
    const first = (await door('GET', '/v2/events?count=1')).json();
    expect(first.events).toHaveLength(1);
    expect((await door('GET', `/v2/events?count=1&cursor=${encodeURIComponent(first.cursor)}`)).json().events[0]).not.toEqual(first.events[0]);
    for (const bad of ['count=1001', 'count=0', 'state=ACTIVE', 'callerIp=127.0.0.1', `messageIds=${messageId}&url=x`, 'cursor=nope', 'responseStatus=500']) {
      expect([bad, (await door('GET', `/v2/events?${bad}`)).status]).toEqual([bad, 400]);
    }
  });

  it('fails messages into the DLQ, with header and body, and lists, retries and deletes them', async () => {
    const dead = async () => (await publish(`${DEAD}/dlq`, { 'Upstash-Retries': '0', 'Upstash-Label': 'oa-dlq' }, '{"dead":1}')).json().messageId as string;
    const [a, b] = [await dead(), await dead()];
    const failed = (id: string) => waitFor(async () => (await door('GET', `/v2/dlq?dlqIds=${id}`)).json().messages.length === 1, { timeoutMs: 20_000, what: `${id} in the DLQ` });
    await Promise.all([failed(a), failed(b)]);
    const listed = (await door('GET', `/v2/dlq?label=oa-dlq&url=${encodeURIComponent(`${DEAD}/dlq`)}&count=5`)).json();
    expect(listed.messages.map((m: { dlqId: string }) => m.dlqId).sort()).toEqual([a, b].sort());
    expect(listed.messages[0]).toMatchObject({ body: '{"dead":1}', header: { 'Content-Type': ['application/json'] }, labels: ['oa-dlq'], maxRetries: 0 });
    expect((await door('GET', '/v2/dlq?label=oa-dlq&responseStatus=200')).json().messages).toEqual([]);
    expect((await door('GET', '/v2/dlq?label=oa-dlq&count=1')).json()).toMatchObject({ messages: [expect.anything()], cursor: expect.any(String) });
    for (const bad of ['count=0', 'count=101', `dlqIds=${a}&label=x`, 'host=127.0.0.1', 'queueName=q', 'responseStatus=42']) {
      for (const [method, path] of [['GET', '/v2/dlq'], ['DELETE', '/v2/dlq'], ['POST', '/v2/dlq/retry']] as const) {
        expect([bad, method, (await door(method, `${path}?${bad}`)).status]).toEqual([bad, method, 400]);
      }
    }
    expect((await door('POST', `/v2/dlq/retry?dlqIds=${a}&dlqIds=msg_unknown`)).json()).toEqual({ responses: [{ messageId: a }] });
    await failed(a);
    expect((await door('POST', '/v2/dlq/retry?label=oa-none')).json()).toEqual({ responses: [] });
    for (const status of [200, 404]) expect((await door('DELETE', `/v2/dlq/${a}`)).status).toBe(status);
    expect((await door('DELETE', `/v2/dlq?dlqIds=${b}&dlqIds=${a}`)).json()).toEqual({ deleted: 1 });
    expect((await door('DELETE', '/v2/dlq?label=oa-dlq')).json()).toEqual({ deleted: 0 });
    expect((await door('GET', '/v2/keys')).status).toBe(200);
  }, 60_000);

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
    const [copy] = (await publish('oa-group', { 'Upstash-Delay': '1h' })).json();
    expect((await door('GET', `/v2/messages/${copy.messageId}`)).json()).toMatchObject({ topicName: 'oa-group', endpointName: 'a' });
    expect((await door('DELETE', '/v2/topics/oa-group/endpoints', { body: endpoints([{ name: 'a' }]) })).status).toBe(200);
    expect((await door('DELETE', '/v2/topics/oa-none/endpoints', { body: endpoints([{ name: 'a' }]) })).status).toBe(404);
    expect((await door('DELETE', '/v2/topics/oa-group/endpoints', { body: 'not json' })).status).toBe(400);
    for (const status of [200, 404]) expect((await door('DELETE', '/v2/topics/oa-group')).status).toBe(status);
    for (const method of ['GET', 'DELETE']) {
      expect((await door(method, '/v2/topics/oa-none')).status).toBe(404);
      expect((await door(method, '/v2/topics/.bad')).status).toBe(400);
    }
  });

  it('creates, reads, pauses, resumes and deletes queues, and bounds them', async () => {
    const upsert = (body: unknown) => door('POST', '/v2/queues', { body: JSON.stringify(body) });
    expect((await upsert({ queueName: 'oa-q', parallelism: 1 })).status).toBe(200);
    for (const bad of [{ queueName: 'oa-q', parallelism: 2 }, { queueName: '.bad' }, { queueName: 'oa-q', paused: 'yes' }, []]) {
      expect([bad, (await upsert(bad)).status]).toEqual([bad, 400]);
    }
    expect((await door('GET', '/v2/queues')).json()).toContainEqual(expect.objectContaining({ name: 'oa-q', parallelism: 1, paused: false }));
    for (const [action, paused] of [['pause', true], ['resume', false]] as const) {
      expect((await door('POST', `/v2/queues/oa-q/${action}`)).status).toBe(200);
      expect((await door('GET', '/v2/queues/oa-q')).json()).toMatchObject({ name: 'oa-q', paused });
    }
    for (const status of [200, 404]) expect((await door('DELETE', '/v2/queues/oa-q')).status).toBe(status);
    for (const [method, suffix] of [['GET', ''], ['DELETE', ''], ['POST', '/pause'], ['POST', '/resume']] as const) {
      expect((await door(method, `/v2/queues/oa-none${suffix}`)).status).toBe(404);
      expect((await door(method, `/v2/queues/.bad${suffix}`)).status).toBe(400);
    }
    // Up to the bound; then neither a new queue nor an enqueue or batch item to one is taken.
    const have = (await door('GET', '/v2/queues')).json().length as number;
    const fill = Array.from({ length: QUEUES_MAX - have }, (_, i) => `oa-fill-${i}`);
    for (let i = 0; i < fill.length; i += 20) await Promise.all(fill.slice(i, i + 20).map(async (name) => expect((await upsert({ queueName: name })).status).toBe(200)));
    expect((await upsert({ queueName: 'oa-over' })).json().error).toContain(`${QUEUES_MAX} queues exist`);
    expect((await enqueue('oa-over', `${DEAD}/q`)).json().error).toContain(`${QUEUES_MAX} queues exist`);
    expect((await batch([{ destination: `${DEAD}/q`, queue: 'oa-over' }])).json().error).toContain(`${QUEUES_MAX} queues exist`);
    expect((await upsert({ queueName: fill[0], paused: true })).status).toBe(200);
    for (const name of fill) await request(`${api.url}${DOOR}/v2/queues/${name}`, { method: 'DELETE', headers: { Authorization: `Bearer ${TOKEN}` } });
  }, 60_000);

  it('reads, pauses, resumes, pins, unpins and resets flow-control keys', async () => {
    await publish(`${DEAD}/f`, { 'Upstash-Delay': '1h', 'Upstash-Flow-Control-Key': 'oa-flow', 'Upstash-Flow-Control-Value': 'parallelism=3' });
    const read = async () => (await door('GET', '/v2/flowControl/oa-flow')).json();
    expect(await read()).toMatchObject({ flowControlKey: 'oa-flow', waitListSize: 0, isPaused: false, isPinnedParallelism: false });
    expect((await door('POST', '/v2/flowControl/oa-flow/pin?parallelism=2&rate=4&period=1m')).status).toBe(200);
    expect(await read()).toMatchObject({ isPinnedParallelism: true, isPinnedRate: true });
    expect((await door('POST', '/v2/flowControl/oa-flow/unpin?parallelism=true&rate=false')).status).toBe(200);
    expect(await read()).toMatchObject({ isPinnedParallelism: false, isPinnedRate: true });
    expect((await door('POST', '/v2/flowControl/oa-flow/pause')).status).toBe(200);
    expect(await read()).toMatchObject({ isPaused: true });
    for (const action of ['resume', 'resetRate']) expect((await door('POST', `/v2/flowControl/oa-flow/${action}`)).status).toBe(200);
    expect(await read()).toMatchObject({ isPaused: false, rateCount: 0 });
    for (const bad of ['', '?period=5', '?parallelism=0', '?rate=1&rate=2']) expect([bad, (await door('POST', `/v2/flowControl/oa-flow/pin${bad}`)).status]).toEqual([bad, 400]);
    expect((await door('POST', '/v2/flowControl/oa-flow/unpin?rate=maybe')).status).toBe(400);
    for (const [method, suffix] of [['GET', ''], ['POST', '/pause'], ['POST', '/resume'], ['POST', '/unpin'], ['POST', '/resetRate']] as const) {
      expect((await door(method, `/v2/flowControl/oa-none${suffix}`)).status).toBe(404);
      expect((await door(method, `/v2/flowControl/-bad${suffix}`)).status).toBe(400);
    }
    expect((await door('POST', '/v2/flowControl/-bad/pin?parallelism=1')).status).toBe(400);
    expect((await door('GET', '/v2/globalParallelism')).json()).toMatchObject({ parallelismMax: 0, parallelismCount: expect.any(Number) });
  });

  it('refuses one more key with its own limits past the register\'s bound, on every route that stores and on a pin', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 16 });
    const pin = (key: string) => request(`${api.url}${DOOR}/v2/flowControl/${key}/pin?parallelism=1`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, agent });
    try {
      let refused = 0;
      for (let i = 0; i < LIMITED_KEYS_MAX && refused === 0; i += 64) {
        const statuses = await Promise.all(Array.from({ length: 64 }, async (_, j) => (await pin(`oa-fill-${i + j}`)).status));
        expect(statuses.filter((st) => st !== 200 && st !== 409)).toEqual([]);
        refused = statuses.filter((st) => st === 409).length;
      }
      expect(refused).toBeGreaterThan(0);
    } finally {
      agent.destroy();
    }
    const flow = { 'Upstash-Flow-Control-Key': 'oa-past', 'Upstash-Flow-Control-Value': 'rate=1' };
    expect((await door('POST', '/v2/flowControl/oa-past/pin?rate=1')).status).toBe(409);
    expect((await publish(`${DEAD}/x`, flow)).json().error).toContain('upstash-flow-control-key');
    expect((await enqueue('oa-line', `${DEAD}/x`, flow)).status).toBe(409);
    expect((await batch([{ destination: `${DEAD}/x`, headers: Object.fromEntries(Object.entries(flow).map(([k, v]) => [k.toLowerCase(), v])) }])).status).toBe(409);
    // A key holding limits already is still changed.
    expect((await door('POST', '/v2/flowControl/oa-flow/pin?parallelism=5')).status).toBe(200);
  }, 180_000);

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
