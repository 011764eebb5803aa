import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request, sharedRedisUrl, startApi, stopAll, uniquePrefix, waitFor, type ApiProcess } from '@knocker/test-kit';

// The door's publish route as the fast path serves it, next to the same route reached through
// express (another letter case): the same token check, gate, bounds, errors and answers.
const TOKEN = 'qstash-token-publish-0123456789';
const OTHER = 'qstash-other-token-0123456789';
const env = {
  QSTASH_TOKENS: `${OTHER},${TOKEN}`, QSTASH_CURRENT_SIGNING_KEY: 'sig_current_publish_0123456789', QSTASH_NEXT_SIGNING_KEY: 'sig_next_publish_0123456789ab',
  MAX_BODY_SIZE: '1024', MAX_INFLIGHT: '2', BLOCK_PRIVATE_NETWORKS: 'true', ALLOWED_NETWORKS: '127.0.0.0/8',
};
let api: ApiProcess;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  api = await startApi({ redisUrl: sharedRedisUrl(), prefix: uniquePrefix('qs-publish'), env });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await stopAll([api]);
});

const BASES = ['/knocker/qstash', '/Knocker/QStash'];
const publish = (base: string, destination: string, headers: Record<string, string> = {}, body = '{"a":1}') =>
  request(`${api.url}${base}/v2/publish/${destination}`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...headers }, body });

describe('POST /v2/publish/<destination>', () => {
  it.each(BASES)('stores and answers {messageId, url}, the destination read raw with its query (%s)', async (base) => {
    const res = await publish(base, 'http://127.0.0.1:9/hook?x=1&y=%20', { 'Upstash-Retries': '1' });
    expect([res.status, res.headers['content-type']]).toEqual([200, 'application/json; charset=utf-8']);
    expect(res.json()).toEqual({ messageId: expect.stringMatching(/^msg_[0-9a-f]{32}$/), url: 'http://127.0.0.1:9/hook?x=1&y=%20' });
    const mended = await publish(base, 'http:/127.0.0.1:9/merged');
    expect(mended.json()).toMatchObject({ url: 'http://127.0.0.1:9/merged' });
    const dedup = { 'Upstash-Deduplication-Id': `d-${base}` };
    const first = (await publish(base, 'http://127.0.0.1:9/once', dedup)).json();
    const again = await publish(base, 'http://127.0.0.1:9/once', dedup);
    expect([again.status, again.json()]).toEqual([202, { messageId: first.messageId, url: 'http://127.0.0.1:9/once', deduplicated: true }]);
  });

  it.each(BASES)('enqueues through the same path: POST /v2/enqueue/<queue>/<destination>, a malformed one no route (%s)', async (base) => {
    const enqueue = (rest: string) => request(`${api.url}${base}/v2/enqueue/${rest}`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}` }, body: 'x' });
    const name = `fast-${BASES.indexOf(base)}`;
    const res = await enqueue(`${name}/http://127.0.0.1:9/queued?x=1`);
    expect([res.status, res.json()]).toEqual([200, { messageId: expect.stringMatching(/^msg_/), url: 'http://127.0.0.1:9/queued?x=1' }]);
    const queue = await request(`${api.url}${base}/v2/queues/${name}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(queue.json()).toMatchObject({ name, lag: 1 });
    const bad = await enqueue('bad%20q/http://127.0.0.1:9/x');
    expect([bad.status, bad.json()]).toEqual([400, { error: expect.stringMatching(/^queue/) }]);
    expect((await enqueue('no-destination')).status).toBe(404);
  });

  it.each(BASES)('takes any of QSTASH_TOKENS, and refuses a missing or wrong one with 401 JSON before reading the body (%s)', async (base) => {
    expect((await publish(base, 'http://127.0.0.1:9/x', { Authorization: `Bearer ${OTHER}` })).status).toBe(200);
    for (const authorization of [undefined, 'Bearer wrong-token-0123456789', TOKEN, 'Bearer ']) {
      const headers: Record<string, string> = authorization === undefined ? {} : { Authorization: authorization };
      const res = await request(`${api.url}${base}/v2/publish/http://127.0.0.1:9/x`, { method: 'POST', headers, body: 'x'.repeat(5000) });
      expect([authorization, res.status, res.json()]).toEqual([authorization, 401, { error: expect.stringMatching(/^authorization: /) }]);
    }
  });

  it.each(BASES)('answers 400 naming the header or the destination, 413 past MAX_BODY_SIZE (%s)', async (base) => {
    const cases: Array<[string, Record<string, string>, RegExp]> = [
      ['http://127.0.0.1:9/x', { 'Upstash-Retries': 'many' }, /^upstash-retries: /],
      ['http://127.0.0.1:9/x', { 'Upstash-Retry-Delay': 'pow(retried' }, /^upstash-retry-delay: /],
      ['http://127.0.0.1:9/x', { 'Upstash-Method': 'TRACE' }, /^upstash-method: /],
      ['http://127.0.0.1:9/x', { 'Upstash-Forward-Host': 'evil.example' }, /^upstash-forward-host: /],
      ['ftp://127.0.0.1/x', {}, /^destination: /],
      ['http://10.0.0.1/x', {}, /^destination: is not allowed/],
    ];
    for (const [destination, headers, error] of cases) {
      const res = await publish(base, destination, headers);
      expect([destination, headers, res.status, res.json()]).toEqual([destination, headers, 400, { error: expect.stringMatching(error) }]);
    }
    const big = await publish(base, 'http://127.0.0.1:9/x', {}, 'x'.repeat(1025));
    expect([big.status, big.json()]).toEqual([413, { error: expect.stringMatching(/^body: must be at most 1024 bytes/) }]);
  });

  it('leaves the door\'s other routes and methods to express', async () => {
    const auth = { Authorization: `Bearer ${TOKEN}` };
    expect((await request(`${api.url}/knocker/qstash/v2/publish/http://127.0.0.1:9/x`, { headers: auth })).status).toBe(404);
    expect((await request(`${api.url}/knocker/qstash/v2/keys`, { headers: auth })).json()).toEqual({ current: env.QSTASH_CURRENT_SIGNING_KEY, next: env.QSTASH_NEXT_SIGNING_KEY });
  });

  it('shares the in-flight gate: past MAX_INFLIGHT a publish is refused with 429 and Retry-After', async () => {
    for (let i = 0; i < 2; i++) {
      const socket = net.connect(api.port, '127.0.0.1');
      sockets.push(socket);
      await new Promise((r) => socket.once('connect', r));
      socket.write(`POST /knocker/qstash/v2/publish/http://127.0.0.1:9/slow HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 100\r\n\r\nhalf`);
    }
    await waitFor(async () => (await publish(BASES[0]!, 'http://127.0.0.1:9/x')).status === 429, { what: 'a refusal' });
    const refused = await publish(BASES[0]!, 'http://127.0.0.1:9/x');
    expect([refused.status, refused.headers['retry-after'], refused.json().code]).toEqual([429, '1', 'too_many_requests']);
    for (const s of sockets.splice(0)) s.destroy();
    await waitFor(async () => (await publish(BASES[0]!, 'http://127.0.0.1:9/x')).status === 200, { what: 'the gate open again' });
  });
});
