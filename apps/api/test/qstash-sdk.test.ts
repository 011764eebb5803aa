import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Receiver, upstash } from '@upstash/qstash';
import {
  request, sharedRedisUrl, startApi, startTarget, startWorker, uniquePrefix, waitFor, type ApiProcess, type KnockerProcess, type Recorded, type Reply, type Target,
} from '@knocker/test-kit';

// The unmodified @upstash/qstash SDK against real api and worker processes: what a QStash user
// sees after changing baseUrl and token. Every delivery and callback is checked with the SDK's Receiver.
const TOKEN = 'qstash-token-for-tests-0123456789';
const CURRENT = 'sig_current0123456789abcdefghijk';
const NEXT = 'sig_next0123456789abcdefghijklmno';
const WAIT = { timeoutMs: 20_000 };

const prefix = uniquePrefix('qstash');
let target: Target;
let api: ApiProcess;
let worker: KnockerProcess;
let client: Client;
const receiver = new Receiver({ currentSigningKey: CURRENT, nextSigningKey: NEXT });

// Each method and getter of the SDK's resources records its calls, for the surface check at the end.
const called = new Set<string>();
const SURFACE: Record<string, string[]> = {};
{
  const sdk = new Client({ baseUrl: 'http://127.0.0.1:9', token: TOKEN, devMode: false });
  const resources: Record<string, object> = {
    client: sdk, messages: sdk.messages, schedules: sdk.schedules, urlGroups: sdk.urlGroups, dlq: sdk.dlq, flowControl: sdk.flowControl,
    queue: sdk.queue({ queueName: 'q' }), workflow: sdk.workflow,
  };
  for (const [name, resource] of Object.entries(resources)) {
    const proto = Object.getPrototypeOf(resource) as object;
    SURFACE[name] = Object.getOwnPropertyNames(proto).filter((m) => m !== 'constructor');
    for (const m of SURFACE[name]!) {
      const d = Object.getOwnPropertyDescriptor(proto, m)!;
      const note = () => called.add(`${name}.${m}`);
      if (typeof d.value === 'function') {
        const fn = d.value as (...args: unknown[]) => unknown;
        Object.defineProperty(proto, m, { ...d, value(this: unknown, ...args: unknown[]) { note(); return fn.apply(this, args); } });
      } else if (d.get) {
        const get = d.get;
        Object.defineProperty(proto, m, { ...d, get(this: unknown) { note(); return get.call(this); } });
      }
    }
  }
}

beforeAll(async () => {
  // /fail always fails; /flaky fails once; /cb and /ko record callbacks; everything else succeeds.
  target = await startTarget((req): Reply => {
    if (req.url.startsWith('/fail')) return { status: 500, body: 'down' };
    if (req.url.startsWith('/gone')) return { status: 489, headers: { 'Upstash-NonRetryable-Error': 'true' }, body: 'no' };
    if (req.url.startsWith('/flaky') && req.headers['upstash-retried'] === '0') return { status: 503, body: 'later' };
    return { status: 200, headers: { 'x-answer': 'yes' }, body: 'done' };
  });
  const env = {
    QSTASH_TOKENS: TOKEN, QSTASH_CURRENT_SIGNING_KEY: CURRENT, QSTASH_NEXT_SIGNING_KEY: NEXT, RETRIES_BACKOFF_FACTOR: '0', ALLOWED_NETWORKS: '127.0.0.0/8',
  };
  [api, worker] = await Promise.all([
    startApi({ redisUrl: sharedRedisUrl(), prefix, env }),
    startWorker({ redisUrl: sharedRedisUrl(), prefix, env }),
  ]);
  client = new Client({ baseUrl: `${api.url}/knocker/qstash`, token: TOKEN, devMode: false, retry: false });
});

afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill(), target?.close()]);
});

const at = (path: string) => target.requests.filter((r) => r.url === path);
const arrived = async (path: string, count = 1): Promise<Recorded[]> => {
  await waitFor(() => at(path).length >= count, WAIT);
  return at(path);
};
const verified = (rec: Recorded) => receiver.verify({ signature: String(rec.headers['upstash-signature']), body: rec.body.toString(), url: `${target.url}${rec.url}` });

describe('the QStash door, through the SDK', () => {
  it('delivers publishJSON signed for the Receiver, with QStash\'s headers and the forwarded ones', async () => {
    const sent = await client.publishJSON({ url: `${target.url}/hook?x=1`, body: { hello: 'world' }, headers: { 'My-Header': 'mine' } });
    expect(sent).toEqual({ messageId: expect.stringMatching(/^msg_/), url: `${target.url}/hook?x=1` });
    const [rec] = await arrived('/hook?x=1');
    expect(rec!.body.toString()).toBe('{"hello":"world"}');
    expect(rec!.headers).toMatchObject({
      'upstash-message-id': (sent as { messageId: string }).messageId, 'upstash-retried': '0', 'user-agent': 'Upstash-QStash',
      'my-header': 'mine', 'content-type': 'application/json',
    });
    expect(rec!.headers['upstash-forward-my-header']).toBeUndefined();
    await expect(verified(rec!)).resolves.toBe(true);
  });

  it('waits the delay asked for', async () => {
    const before = Date.now();
    await client.publishJSON({ url: `${target.url}/later`, body: {}, delay: 2 });
    const [rec] = await arrived('/later');
    expect(rec!.at - before).toBeGreaterThanOrEqual(1900);
  });

  it('retries, counts Upstash-Retried, and sends the success callback signed with QStash\'s body', async () => {
    await client.publishJSON({ url: `${target.url}/flaky`, body: { n: 1 }, retries: 2, callback: `${target.url}/cb` });
    const tries = await arrived('/flaky', 2);
    expect(tries.map((r) => r.headers['upstash-retried'])).toEqual(['0', '1']);
    const [cb] = await arrived('/cb');
    await expect(verified(cb!)).resolves.toBe(true);
    expect(JSON.parse(cb!.body.toString())).toMatchObject({
      status: 200, retried: 1, maxRetries: 2, url: `${target.url}/flaky`, method: 'POST', body: Buffer.from('done').toString('base64'),
      header: { 'X-Answer': ['yes'] }, sourceBody: Buffer.from('{"n":1}').toString('base64'), sourceMessageId: tries[0]!.headers['upstash-message-id'],
    });
  });

  it('sends the failure callback once retries are spent, and at once on a 489 non-retryable answer', async () => {
    await client.publishJSON({ url: `${target.url}/fail`, body: {}, retries: 1, failureCallback: `${target.url}/ko` });
    await client.publishJSON({ url: `${target.url}/gone`, body: {}, retries: 3, failureCallback: `${target.url}/ko-gone` });
    const [ko] = await arrived('/ko');
    expect(at('/fail')).toHaveLength(2);
    await expect(verified(ko!)).resolves.toBe(true);
    expect(JSON.parse(ko!.body.toString())).toMatchObject({ status: 500, retried: 1, maxRetries: 1, dlqId: expect.stringMatching(/^msg_/) });
    await arrived('/ko-gone');
    expect(at('/gone')).toHaveLength(1);
  });

  it('answers a duplicate deduplication id with the first message', async () => {
    const first = await client.publishJSON({ url: `${target.url}/once`, body: { a: 1 }, deduplicationId: `dedup-${prefix}` });
    const again = await client.publishJSON({ url: `${target.url}/once`, body: { a: 2 }, deduplicationId: `dedup-${prefix}` });
    expect(again).toEqual({ messageId: (first as { messageId: string }).messageId, url: `${target.url}/once`, deduplicated: true });
    const byContent = await client.publishJSON({ url: `${target.url}/once`, body: { same: prefix }, contentBasedDeduplication: true });
    const sameContent = await client.publishJSON({ url: `${target.url}/once`, body: { same: prefix }, contentBasedDeduplication: true });
    expect(sameContent).toMatchObject({ messageId: (byContent as { messageId: string }).messageId, deduplicated: true });
    await arrived('/once', 2);
  });

  it('gets and cancels a message', async () => {
    const { messageId } = (await client.publishJSON({ url: `${target.url}/never`, body: {}, delay: 600, failureCallback: `${target.url}/ko-never` })) as { messageId: string };
    const message = await client.messages.get(messageId);
    expect(message).toMatchObject({ messageId, url: `${target.url}/never`, method: 'POST', maxRetries: 3, failureCallback: `${target.url}/ko-never` });
    expect((message.notBefore ?? 0) - message.createdAt).toBeGreaterThanOrEqual(599_000);
    await expect(client.messages.cancel(messageId)).resolves.toEqual({ cancelled: 1 });
    await expect(client.messages.get('msg_unknown')).rejects.toMatchObject({ status: 404 });
    await expect(client.messages.cancel(messageId)).rejects.toMatchObject({ status: 400 });
  });

  it('creates, lists, pauses, resumes and deletes schedules, whose ticks carry Upstash-Schedule-Id', async () => {
    const { scheduleId } = await client.schedules.create({ destination: `${target.url}/tick`, cron: '* * * * * *' as string, body: '{"t":1}' });
    const listed = await client.schedules.list();
    expect(listed.find((s) => s.scheduleId === scheduleId)).toMatchObject({ cron: '* * * * * *', destination: `${target.url}/tick`, isPaused: false });
    const [tick] = await arrived('/tick');
    expect(tick!.headers['upstash-schedule-id']).toBe(scheduleId);
    await expect(verified(tick!)).resolves.toBe(true);
    await client.schedules.pause({ schedule: scheduleId });
    await expect(client.schedules.get(scheduleId)).resolves.toMatchObject({ isPaused: true });
    await client.schedules.resume({ schedule: scheduleId });
    await client.schedules.delete(scheduleId);
    await expect(client.schedules.get(scheduleId)).rejects.toMatchObject({ status: 404 });
  });

  it('fans a publish out over a URL group, one endpoint down holding back none of the others', async () => {
    const name = `orders-${prefix.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 60);
    await client.urlGroups.addEndpoints({ name, endpoints: [{ url: `${target.url}/billing` }, { name: 'audit', url: `${target.url}/fail-audit` }] });
    await client.urlGroups.addEndpoints({ name, endpoints: [{ name: 'mail', url: `${target.url}/mail` }] });
    const group = await client.urlGroups.get(name);
    expect(group.endpoints).toEqual([{ url: `${target.url}/billing` }, { name: 'audit', url: `${target.url}/fail-audit` }, { name: 'mail', url: `${target.url}/mail` }]);
    expect((await client.urlGroups.list()).map((g) => g.name)).toContain(name);

    const sent = (await client.publishJSON({ urlGroup: name, body: { order: 7 }, retries: 1 })) as unknown as Array<{ messageId: string; url: string }>;
    expect(sent.map((m) => m.url)).toEqual([`${target.url}/billing`, `${target.url}/fail-audit`, `${target.url}/mail`]);
    const [billing] = await arrived('/billing');
    const [mail] = await arrived('/mail');
    expect(billing!.headers).toMatchObject({ 'upstash-topic-name': name, 'upstash-message-id': sent[0]!.messageId });
    await expect(verified(billing!)).resolves.toBe(true);
    await expect(verified(mail!)).resolves.toBe(true);
    await arrived('/fail-audit', 2);

    await client.urlGroups.removeEndpoints({ name, endpoints: [{ name: 'audit' }, { url: `${target.url}/billing` }] });
    expect((await client.urlGroups.get(name)).endpoints).toEqual([{ name: 'mail', url: `${target.url}/mail` }]);
    await client.urlGroups.removeEndpoints({ name, endpoints: [{ name: 'mail' }] });
    await expect(client.urlGroups.get(name)).rejects.toMatchObject({ status: 404 });
    await expect(client.publishJSON({ urlGroup: name, body: {} })).rejects.toMatchObject({ status: 404 });
    await client.topics.addEndpoints({ name: `${name}-x`, endpoints: [{ url: `${target.url}/x` }] });
    await client.urlGroups.delete(`${name}-x`);
    await expect(client.urlGroups.get(`${name}-x`)).rejects.toMatchObject({ status: 404 });
  });

  it('publishes a batch, each item its own message, answered in order', async () => {
    const answers = await client.batchJSON([
      { url: `${target.url}/batch-1`, body: { i: 1 } },
      { url: `${target.url}/batch-2`, body: { i: 2 }, headers: { 'X-Item': 'two' } },
    ]);
    expect(answers).toEqual([{ messageId: expect.stringMatching(/^msg_/), url: `${target.url}/batch-1` }, { messageId: expect.stringMatching(/^msg_/), url: `${target.url}/batch-2` }]);
    const [second] = await arrived('/batch-2');
    expect(second!.headers['x-item']).toBe('two');
    await expect(verified(second!)).resolves.toBe(true);
    await arrived('/batch-1');
  });

  it('lists a failed message in the DLQ and retries it from there', async () => {
    const { messageId } = (await client.publishJSON({ url: `${target.url}/fail-dlq`, body: { d: 1 }, retries: 0 })) as { messageId: string };
    let listed: Awaited<ReturnType<Client['dlq']['listMessages']>>['messages'] = [];
    await waitFor(async () => {
      listed = (await client.dlq.listMessages()).messages;
      return listed.some((m) => m.messageId === messageId);
    }, WAIT);
    expect(listed.find((m) => m.messageId === messageId)).toMatchObject({ dlqId: messageId, url: `${target.url}/fail-dlq`, responseStatus: 500 });
    await expect(client.dlq.retry(messageId)).resolves.toEqual({ responses: [{ messageId }] });
    await arrived('/fail-dlq', 2);
  });

  it('cancels many messages: by ids, by filter up to count, and all', async () => {
    const label = `l${prefix.replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 60);
    const later = async (path: string, extra: Record<string, unknown> = {}) =>
      ((await client.publishJSON({ url: `${target.url}${path}`, body: {}, delay: 600, ...extra })) as { messageId: string }).messageId;
    const [a, b, c] = [await later('/never-a'), await later('/never-b'), await later('/never-c')];
    await expect(client.messages.cancel([a, b, 'msg_unknown'])).resolves.toEqual({ cancelled: 2 });
    await expect(client.messages.deleteMany([c, a])).resolves.toBe(1);
    await expect(client.messages.get(a)).resolves.toMatchObject({ state: 'CANCELLED' });

    const labelled = [await later('/never-l1', { label }), await later('/never-l2', { label }), await later('/never-l3', { label })];
    const other = await later('/never-other', { label: 'other' });
    await expect(client.messages.cancel({ filter: { label }, count: 1 })).resolves.toEqual({ cancelled: 1 });
    await expect(client.messages.cancel({ filter: { label, url: [`${target.url}/never-l1`, `${target.url}/never-l2`, `${target.url}/never-l3`] } })).resolves.toEqual({ cancelled: 2 });
    for (const id of labelled) await expect(client.messages.get(id)).resolves.toMatchObject({ state: 'CANCELLED' });
    await expect(client.messages.get(other)).resolves.toMatchObject({ state: 'CREATED' });
    await expect(client.messages.cancel({ all: true })).resolves.toMatchObject({ cancelled: expect.any(Number) });
    await expect(client.messages.get(other)).resolves.toMatchObject({ state: 'CANCELLED' });
    const last = await later('/never-last');
    await expect(client.messages.deleteAll()).resolves.toBeGreaterThanOrEqual(1);
    await expect(client.messages.get(last)).resolves.toMatchObject({ state: 'CANCELLED' });
    await expect(client.messages.delete(last)).rejects.toMatchObject({ status: 400 });
  });

  it('lists the DLQ by filter, deletes one and many, and retries by filter', async () => {
    const url = (n: number) => `${target.url}/fail-dlq-${n}`;
    const ids = await Promise.all([1, 1, 2, 3].map(async (n) => ((await client.publishJSON({ url: url(n), body: { n }, retries: 0 })) as { messageId: string }).messageId));
    const ofOne = async () => (await client.dlq.listMessages({ filter: { url: url(1), responseStatus: 500 } })).messages.map((m) => m.dlqId).sort();
    await waitFor(async () => (await ofOne()).length === 2 && (await client.dlq.listMessages({ dlqIds: ids })).messages.length === 4, WAIT);
    await expect(ofOne()).resolves.toEqual([ids[0], ids[1]].sort());
    await expect(client.dlq.listMessages({ filter: { url: url(1), responseStatus: 404 } })).resolves.toMatchObject({ messages: [] });

    await expect(client.dlq.delete(ids[0]!)).resolves.toEqual({ deleted: 1 });
    await expect(client.dlq.delete(ids[0]!)).rejects.toMatchObject({ status: 404 });
    await expect(client.dlq.deleteMany({ dlqIds: [ids[1]!, 'msg_unknown'] })).resolves.toMatchObject({ deleted: 1 });
    await expect(client.dlq.delete({ filter: { url: url(2) } })).resolves.toEqual({ deleted: 1 });
    await expect(client.dlq.retry({ filter: { url: url(3) } })).resolves.toMatchObject({ responses: [{ messageId: ids[3] }] });
    await arrived('/fail-dlq-3', 2);
    await expect(client.dlq.listMessages({ dlqIds: ids.slice(0, 3) })).resolves.toMatchObject({ messages: [] });
  });

  it('lists logs newest first by filter and cursor, and each message\'s history by id', async () => {
    const url = `${target.url}/logged-${Date.now()}`;
    const first = ((await client.publishJSON({ url, body: { i: 1 } })) as { messageId: string }).messageId;
    await arrived(new URL(url).pathname);
    const second = ((await client.publishJSON({ url, body: { i: 2 } })) as { messageId: string }).messageId;
    await arrived(new URL(url).pathname, 2);
    let page1: Awaited<ReturnType<Client['logs']>> | undefined;
    await waitFor(async () => {
      page1 = await client.logs({ filter: { url, state: 'DELIVERED' }, count: 1 });
      return page1.logs[0]?.messageId === second;
    }, WAIT);
    expect(page1!.logs).toEqual([expect.objectContaining({ messageId: second, state: 'DELIVERED', url, time: expect.any(Number) })]);
    expect(page1!.cursor).toEqual(expect.any(String));
    const page2 = await client.events({ filter: { url, state: 'DELIVERED' }, count: 1, cursor: page1!.cursor });
    expect(page2.events.map((e) => e.messageId)).toEqual([first]);
    expect(page2.cursor).toBeUndefined();
    const all = await client.logs({ filter: { url } });
    expect(all.logs.map((e) => e.messageId)).toEqual([second, first]);
    expect(all.cursor).toBeUndefined();
    const history = await client.logs({ messageIds: [first] });
    expect(history.logs.map((e) => e.state)).toEqual(['DELIVERED', 'CREATED']);
  });

  it('pages logs across every state, each message once', async () => {
    const label = `logs${Date.now()}`;
    const sent = async (path: string, extra: Record<string, unknown> = {}) =>
      ((await client.publishJSON({ url: `${target.url}${path}`, body: {}, label, retries: 0, ...extra })) as { messageId: string }).messageId;
    const ids = { DELIVERED: await sent('/logs-ok'), FAILED: await sent('/fail-logs'), CREATED: await sent('/logs-later', { delay: 600 }), CANCELLED: await sent('/logs-gone', { delay: 600 }) };
    await client.messages.cancel(ids.CANCELLED);
    const walk = async () => {
      const seen: Array<[string, string]> = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages += 1) {
        const page = await client.logs({ filter: { label }, count: 1, cursor });
        seen.push(...page.logs.map((e): [string, string] => [e.state, e.messageId]));
        cursor = page.cursor;
        if (cursor === undefined) break;
      }
      return seen;
    };
    let seen: Array<[string, string]> = [];
    await waitFor(async () => (seen = await walk()).some(([state]) => state === 'FAILED') && seen.some(([state]) => state === 'DELIVERED'), WAIT);
    expect(Object.fromEntries(seen)).toEqual(ids);
    expect(seen).toHaveLength(4);
    await client.messages.cancel(ids.CREATED);
  });

  it('sends callbacks with the method and headers the publish asked for', async () => {
    await client.publishJSON({
      url: `${target.url}/flaky-cb`, body: {}, retries: 1, callback: `${target.url}/cb-put`,
      headers: { 'Upstash-Callback-Method': 'PUT', 'Upstash-Callback-Forward-X-Secret': 's1' },
    });
    await client.publishJSON({
      url: `${target.url}/fail-cb`, body: {}, retries: 0, failureCallback: `${target.url}/ko-patch`,
      headers: { 'Upstash-Failure-Callback-Method': 'PATCH', 'Upstash-Failure-Callback-Forward-X-Ko': 'k1' },
    });
    const [put] = await arrived('/cb-put');
    expect(put).toMatchObject({ method: 'PUT', headers: expect.objectContaining({ 'x-secret': 's1' }) });
    await expect(verified(put!)).resolves.toBe(true);
    const [patch] = await arrived('/ko-patch');
    expect(patch).toMatchObject({ method: 'PATCH', headers: expect.objectContaining({ 'x-ko': 'k1' }) });
    await expect(client.publishJSON({ url: `${target.url}/x`, body: {}, callback: `${target.url}/cb`, headers: { 'Upstash-Callback-Retries': '99999' } }))
      .rejects.toMatchObject({ status: 400, message: expect.stringMatching(/upstash-callback-retries/) });
  });

  it('refuses hostile queries with 400 JSON naming the field', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    const ids = (name: string, n: number) => Array.from({ length: n }, (_, i) => `${name}=msg_${i}`).join('&');
    const cases: Array<[string, string, RegExp]> = [
      ['GET', '/v2/events?cursor=garbage', /cursor/],
      ['GET', `/v2/events?cursor=e1.${'A'.repeat(4000)}.${'A'.repeat(4000)}.${'A'.repeat(4000)}..`, /cursor/],
      ['GET', `/v2/events?cursor=${'9'.repeat(30)}`, /cursor/],
      ['GET', '/v2/events?count=0', /count/],
      ['GET', '/v2/events?count=1001', /count/],
      ['GET', '/v2/events?count=abc', /count/],
      ['GET', '/v2/events?state=ACTIVE', /state/],
      ['GET', '/v2/events?state=constructor', /state/],
      ['GET', '/v2/events?state=FAILED&state=CREATED', /state/],
      ['GET', '/v2/events?callerIp=1.2.3.4', /callerIp/],
      ['GET', `/v2/events?${ids('messageIds', 101)}`, /messageIds/],
      ['DELETE', `/v2/messages?${ids('messageIds', 101)}`, /messageIds/],
      ['DELETE', '/v2/messages?messageIds=a&url=x', /url/],
      ['DELETE', '/v2/messages?count=501', /count/],
      ['DELETE', '/v2/messages?fromDate=yesterday', /fromDate/],
      ['GET', '/v2/dlq?count=101', /count/],
      ['GET', '/v2/dlq?host=example.com', /host/],
      ['GET', '/v2/dlq?cursor=bad', /cursor/],
      ['GET', `/v2/dlq?cursor=${'A'.repeat(5000)}`, /cursor/],
      ['DELETE', '/v2/messages?cursor=abc', /cursor/],
      ['DELETE', `/v2/dlq?${ids('dlqIds', 101)}`, /dlqIds/],
      ['POST', '/v2/dlq/retry?responseStatus=abc', /responseStatus/],
    ];
    for (const [method, path, field] of cases) {
      const res = await request(`${api.url}/knocker/qstash${path}`, { method, headers: auth });
      expect([method, path.slice(0, 60), res.status]).toEqual([method, path.slice(0, 60), 400]);
      expect(res.json()).toEqual({ error: expect.stringMatching(field) });
    }
  });

  it('answers the keys, and refuses a missing or wrong token with 401 JSON', async () => {
    const keys = await request(`${api.url}/knocker/qstash/v2/keys`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(keys.json()).toEqual({ current: CURRENT, next: NEXT });
    for (const headers of [{}, { Authorization: 'Bearer wrong-token-0123456789' }, { Authorization: TOKEN }] as Array<Record<string, string>>) {
      const res = await request(`${api.url}/knocker/qstash/v2/keys`, { headers });
      expect(res.status).toBe(401);
      expect(res.json()).toEqual({ error: expect.stringMatching(/authorization/) });
    }
    const wrong = new Client({ baseUrl: `${api.url}/knocker/qstash`, token: 'not-the-token-0123456789', devMode: false, retry: false });
    await expect(wrong.publishJSON({ url: `${target.url}/x`, body: {} })).rejects.toMatchObject({ status: 401 });
  });
});

describe('flow control, through the SDK (its behaviour: qstash-flow.test.ts)', () => {
  it('answers every flow-control call for a key a message used', async () => {
    await client.publishJSON({ url: `${target.url}/flowed`, body: {}, flowControl: { key: 'sdk-tour', parallelism: 2 } });
    await arrived('/flowed');
    expect(await client.flowControl.get('sdk-tour')).toMatchObject({ flowControlKey: 'sdk-tour', parallelismMax: 2, isPaused: false });
    await client.flowControl.pause('sdk-tour');
    expect(await client.flowControl.get('sdk-tour')).toMatchObject({ isPaused: true });
    await client.flowControl.resume('sdk-tour');
    await client.flowControl.pin('sdk-tour', { rate: 5, period: 10 });
    expect(await client.flowControl.get('sdk-tour')).toMatchObject({ isPaused: false, rateMax: 5, ratePeriod: 10, isPinnedRate: true });
    await client.flowControl.resetRate('sdk-tour');
    await client.flowControl.unpin('sdk-tour', { rate: true });
    expect(await client.flowControl.get('sdk-tour')).toMatchObject({ isPinnedRate: false });
    expect(await client.flowControl.getGlobalParallelism()).toEqual({ parallelismMax: 0, parallelismCount: expect.any(Number) });
  });
});

// Every method of the SDK is either called by a test above (each call is recorded: the SDK's own
// prototypes are wrapped below) or listed here as not supported, with the answer its route
// gives, asserted. An SDK with a new method fails until a test calls it or it is listed.
const UNSUPPORTED: Record<string, { status: number; call: (c: Client) => Promise<unknown> }> = {
  'client.chat': { status: 404, call: (c) => c.chat().create({ provider: upstash(), model: 'meta-llama/Meta-Llama-3-8B-Instruct', messages: [{ role: 'user', content: 'hi' }] }) },
  'workflow.cancel': { status: 404, call: (c) => c.workflow.cancel('wfr_1') },
};

describe('the SDK\'s surface', () => {
  // Their behaviour is held by qstash-queues.test.ts; here each is called once so the surface check sees it.
  it('serves every queue method', async () => {
    const name = `surface-${Date.now().toString(36)}`;
    const queue = client.queue({ queueName: name });
    await queue.upsert({ parallelism: 1 });
    expect(await queue.get()).toMatchObject({ name, parallelism: 1, paused: false });
    expect((await client.queue().list()).map((q) => q.name)).toContain(name);
    await queue.pause();
    await queue.resume();
    expect(await queue.enqueue({ url: `${target.url}/surface`, body: 'x' })).toMatchObject({ messageId: expect.any(String) });
    expect(await queue.enqueueJSON({ url: `${target.url}/surface`, body: {} })).toMatchObject({ messageId: expect.any(String) });
    await arrived('/surface', 2);
    await queue.delete();
    await expect(queue.get()).rejects.toMatchObject({ status: 404 });
  });

  it.each(Object.entries(UNSUPPORTED))('answers %s, not supported, with its 4xx JSON', async (_name, { status, call }) => {
    await expect(call(client)).rejects.toMatchObject({ status, message: expect.stringMatching(/"error"/) });
  });

  it('has no method that no test calls and that is not listed as not supported', () => {
    const methods = Object.keys(SURFACE).flatMap((resource) => SURFACE[resource]!.map((m) => `${resource}.${m}`));
    expect(Object.keys(UNSUPPORTED).filter((m) => !methods.includes(m))).toEqual([]);
    expect(methods.filter((m) => !called.has(m))).toEqual([]);
  });
});
