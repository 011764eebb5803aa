// Hostile callers of the QStash door: every refusal is a 4xx with QStash's `{"error"}` naming
// the field, nothing is stored, and no input reaches a 500, a hang or an unbounded read.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request, sharedRedisUrl, startApi, uniquePrefix, type ApiProcess } from '@knocker/test-kit';

const TOKEN = 'adversarial-qstash-token-0123';
let api: ApiProcess;

beforeAll(async () => {
  api = await startApi({
    redisUrl: sharedRedisUrl(), prefix: uniquePrefix('adv-qstash'),
    env: {
      QSTASH_TOKENS: TOKEN, QSTASH_CURRENT_SIGNING_KEY: 'sig_current_adversarial_01', QSTASH_NEXT_SIGNING_KEY: 'sig_next_adversarial_0123',
      BLOCK_PRIVATE_NETWORKS: 'true', MAX_BODY_SIZE: '4096',
    },
  });
});
afterAll(async () => {
  await api?.kill('SIGKILL');
});

const door = (path: string, opts: { method?: string; headers?: Array<[string, string]>; body?: string } = {}) =>
  request(`${api.url}/knocker/qstash${path}`, { method: opts.method ?? 'POST', body: opts.body, headers: [['Authorization', `Bearer ${TOKEN}`], ...(opts.headers ?? [])] });

const refused = async (res: Awaited<ReturnType<typeof door>>, status: number, field: RegExp) => {
  expect({ status: res.status, body: res.json() }).toEqual({ status, body: { error: expect.stringMatching(field) } });
};

describe('the QStash door against hostile callers', () => {
  it('refuses every credential but a configured bearer token', async () => {
    for (const auth of ['', 'Bearer ', `Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`, `Bearer ${TOKEN}x`, TOKEN]) {
      const res = await request(`${api.url}/knocker/qstash/v2/keys`, { headers: auth === '' ? {} : { Authorization: auth } });
      await refused(res, 401, /^authorization/);
    }
  });

  it('names the header of every bad publish setting', async () => {
    const cases: Array<[Array<[string, string]>, RegExp]> = [
      [[['Upstash-Delay', '9'.repeat(400) + 'd']], /^upstash-delay/],
      [[['Upstash-Not-Before', '-1']], /^upstash-not-before/],
      [[['Upstash-Retries', '1e9']], /^upstash-retries/],
      [[['Upstash-Timeout', '99999h']], /^upstash-timeout/],
      [[['Upstash-Method', 'CONNECT']], /^upstash-method/],
      [[['Upstash-Retry-Delay', 'require("fs")']], /^upstash-retry-delay: cannot be read/],
      [[['Upstash-Retry-Delay', '__proto__(1)']], /^upstash-retry-delay: has "__proto__"/],
      [[['Upstash-Retry-Delay', `${'abs('.repeat(40)}1${')'.repeat(40)}`]], /^upstash-retry-delay: .*(nests deeper|1 to 256)/],
      [[['Upstash-Retry-Delay', '1+'.repeat(200) + '1']], /^upstash-retry-delay: must be an expression of 1 to 256/],
      [[['Upstash-Callback', 'https://example.com/cb'], ['Upstash-Callback-Retries', '1e9']], /^upstash-callback-retries/],
      [[['Upstash-Callback', 'javascript:alert(1)']], /^upstash-callback/],
      [[['Upstash-Failure-Callback', 'http://169.254.169.254/latest']], /^upstash-failure-callback: is not allowed/],
      [[['Upstash-Forward-Host', 'evil.example']], /^upstash-forward-host/],
      [[['Upstash-Forward-Knocker-Host', 'evil.example']], /^upstash-forward-knocker-host/],
      [[['Upstash-Deduplication-Id', 'x'.repeat(300)]], /^upstash-deduplication-id/],
      [[['Upstash-Flow-Control-Key', 'k'], ['Upstash-Flow-Control-Value', 'rate=1;DROP']], /^upstash-flow-control-value/],
      [[['Upstash-Cron', '* * * * *']], /^upstash-cron: is for POST \/v2\/schedules/],
    ];
    for (const [headers, field] of cases) await refused(await door('/v2/publish/https://example.com/hook', { headers, body: '{}' }), 400, field);
  });

  it('refuses destinations that are no URL, no group, or a refused address', async () => {
    await refused(await door('/v2/publish/javascript:alert(1)', { body: 'x' }), 400, /^destination/);
    await refused(await door('/v2/publish/http://10.0.0.1/internal', { body: 'x' }), 400, /^destination: is not allowed/);
    await refused(await door('/v2/publish/no-such-group', { body: 'x' }), 404, /URL group no-such-group not found/);
    await refused(await door(`/v2/publish/https://example.com/${'a'.repeat(3000)}`, { body: 'x' }), 400, /^destination/);
  });

  it('bounds bodies: the publish, the batch, the URL group endpoints', async () => {
    const big = await door('/v2/publish/https://example.com/hook', { body: 'x'.repeat(5000) });
    expect(big.status).toBe(413);
    await refused(await door('/v2/batch', { body: 'not json' }), 400, /^body/);
    await refused(await door('/v2/batch', { body: '[]' }), 400, /^body/);
    await refused(await door('/v2/batch', { body: JSON.stringify(Array.from({ length: 101 }, () => ({ destination: 'https://example.com' }))) }), 400, /^body: must be .* 1 to 100/);
    await refused(await door('/v2/batch', { body: JSON.stringify([{ destination: 'https://example.com', headers: ['a'] }]) }), 400, /^\[0\]\.headers/);
    await refused(await door('/v2/batch', { body: JSON.stringify([{ destination: 'https://example.com', headers: {} }, { destination: 'https://example.com', headers: { 'upstash-retries': 'x' } }]) }), 400, /^\[1\]\.upstash-retries/);
    await refused(await door('/v2/topics/g1/endpoints', { body: '{"endpoints": "x"}' }), 400, /^endpoints/);
    await refused(await door('/v2/topics/g1/endpoints', { body: JSON.stringify({ endpoints: Array.from({ length: 65 }, (_, i) => ({ url: `https://e${i}.example` })) }) }), 400, /^endpoints/);
    await refused(await door('/v2/topics/g1/endpoints', { body: JSON.stringify({ endpoints: [{ url: 'https://e.example/a?x=1' }] }) }), 400, /^endpoints\[0\]\.url/);
    await refused(await door('/v2/topics/g1/endpoints', { body: JSON.stringify({ endpoints: [{ url: 'https://e.example', name: 'a~~b' }] }) }), 400, /^endpoints\[0\]\.name/);
    await refused(await door('/v2/topics/bad%20name/endpoints', { body: JSON.stringify({ endpoints: [{ url: 'https://e.example' }] }) }), 400, /^name/);
  });

  it('answers unknown ids, routes and query parameters with 4xx JSON', async () => {
    await refused(await door(`/v2/messages/${'m'.repeat(2000)}`, { method: 'GET' }), 404, /not found/);
    await refused(await door('/v2/messages/..%2F..%2Fetc', { method: 'DELETE' }), 404, /not found/);
    await refused(await door('/v2/schedules/nope', { method: 'GET' }), 404, /schedule nope not found/);
    await refused(await door('/v2/no-such-route', { method: 'GET' }), 404, /not a QStash route/);
    await refused(await door('/v2/dlq?count=1000', { method: 'GET' }), 400, /^count/);
    await refused(await door('/v2/dlq?responseStatus=5xx', { method: 'GET' }), 400, /^responseStatus: must be HTTP statuses/);
    await refused(await door('/v2/dlq?callerIp=1.2.3.4', { method: 'GET' }), 400, /^callerIp/);
    await refused(await door(`/v2/dlq/retry?${Array.from({ length: 101 }, (_, i) => `dlqIds=m${i}`).join('&')}`, {}), 400, /^dlqIds/);
    await refused(await door('/v2/schedules/https://example.com/x', { headers: [['Upstash-Cron', '61 * * * *']] }), 400, /^upstash-cron/);
    await refused(await door('/v2/schedules/https://example.com/x', {}), 400, /^upstash-cron: is required/);
  });

  it('refuses bad queues by field, answers unknown ones 404, and bounds their number', async () => {
    const upsert = (body: string) => door('/v2/queues', { body, headers: [['Content-Type', 'application/json']] });
    await refused(await upsert('not json'), 400, /^body: must be JSON/);
    await refused(await upsert('x'.repeat(5000)), 400, /^body: must be at most 4096 bytes/);
    await refused(await upsert(JSON.stringify({ queueName: 'q'.repeat(1000) })), 400, /^queueName/);
    await refused(await upsert(JSON.stringify({ queueName: '../etc' })), 400, /^queueName/);
    for (const parallelism of [0, -3, 2.5, '2', 2, 1e9]) await refused(await upsert(JSON.stringify({ queueName: 'q1', parallelism })), 400, /^parallelism/);
    await refused(await upsert(JSON.stringify({ queueName: 'q1', paused: 'yes' })), 400, /^paused/);
    await refused(await door('/v2/queues/nope', { method: 'GET' }), 404, /queue nope not found/);
    await refused(await door(`/v2/queues/${'q'.repeat(2000)}`, { method: 'GET' }), 400, /^name/);
    await refused(await door('/v2/queues/nope', { method: 'DELETE' }), 404, /queue nope not found/);
    await refused(await door('/v2/queues/nope/pause'), 404, /queue nope not found/);
    await refused(await door('/v2/queues/nope/resume'), 404, /queue nope not found/);
    await refused(await door('/v2/enqueue/bad%20name/https://example.com/hook', { body: 'x' }), 400, /^queue/);
    await refused(await door(`/v2/enqueue/${'q'.repeat(100)}/https://example.com/hook`, { body: 'x' }), 400, /^queue/);
    await refused(await door('/v2/enqueue/q1/javascript:alert(1)', { body: 'x' }), 400, /^destination/);
    await refused(await door('/v2/enqueue/q1', { body: 'x' }), 404, /not a QStash route/);
    await refused(await door('/v2/enqueue/q-unmade/no-such-group', { body: 'x' }), 404, /URL group no-such-group not found/);
    await refused(await door('/v2/queues/q-unmade', { method: 'GET' }), 404, /not found/);
    await refused(await door('/v2/batch', { body: JSON.stringify([{ destination: 'https://example.com', headers: {}, queue: 'bad name' }]) }), 400, /^\[0\]\.queue/);
    await refused(await door('/v2/batch', { body: JSON.stringify([{ destination: 'https://example.com', headers: {}, queue: { $ne: 1 } }]) }), 400, /^\[0\]\.queue/);
    // Past 200 queues, neither an upsert nor an enqueue to a new queue makes one.
    for (let i = 0; i < 200; i += 1) expect((await upsert(JSON.stringify({ queueName: `many-${i}` }))).status).toBe(200);
    await refused(await upsert(JSON.stringify({ queueName: 'one-too-many' })), 400, /200 queues exist already/);
    await refused(await door('/v2/enqueue/one-too-many/https://example.com/hook', { body: 'x' }), 400, /200 queues exist already/);
    expect((await door('/v2/enqueue/many-7/https://example.com/hook', { body: 'x' })).status).toBe(200);
    expect((await door('/v2/queues', { method: 'GET' })).json()).toHaveLength(200);
  });
});
