import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { deliveryJobId } from '@knocker/keys';
import { sharedRedisUrl, shardQueues, startApi, uniquePrefix, type ApiProcess, type ShardQueues } from '@knocker/test-kit';
import { rawBytes, rawRequest, type RawReply } from './raw.js';

// Property-based: random and hostile requests against the real api process and a real Redis.
// Whatever comes in, the api answers (never 5xx), stays up, stores exactly what it accepted,
// and every refusal names what it refused. FUZZ_RUNS scales the number of cases.
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const KEY = 'fuzz-api-key-0123456789';
const MAX_BODY = 2048;
const prefix = uniquePrefix('fuzz');
let api: ApiProcess;
let redis: Redis;
let queues: ShardQueues;
const ran = { targeted: 0, hostile: 0, statuses: {} as Record<number, number> };

beforeAll(async () => {
  api = await startApi({
    redisUrl: sharedRedisUrl(), prefix,
    env: { KNOCKER_API_KEYS: KEY, MAX_BODY_SIZE: String(MAX_BODY), RETRIES_MAX: '10', TIMEOUT_MAX: '60', RETRIES_BACKOFF_FACTOR_MAX: '600' },
  });
  redis = new Redis(sharedRedisUrl(), { maxRetriesPerRequest: null });
  queues = shardQueues(redis, prefix);
});
afterAll(async () => {
  console.log(`fuzz: ${ran.targeted + ran.hostile} cases against the api (${ran.targeted} targeted, ${ran.hostile} hostile); answers by status: ${JSON.stringify(ran.statuses)}`);
  await api?.kill();
  await queues?.delivery.obliterate({ force: true });
  await queues?.close();
  redis?.disconnect();
});

type Header = readonly [string, string];
const noControl = (s: string) => !/[\x00-\x1f\x7f]/.test(s);
const text = fc.oneof(fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 20 })).filter(noControl);
const huge = fc.bigInt({ min: 10n ** 15n, max: 10n ** 40n }).map(String);
const notDecimal = fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e2', '0x10', '1_0', '+1', '.', '1,5', '５', '١', '--1', '', 'ten');

// A bad value for each control header, each certainly refused; the field it must be named under.
const BAD: Record<string, fc.Arbitrary<string>> = {
  'knocker-host': fc.oneof(
    fc.constantFrom('user:pw@target.example', 'target.example/path', 'target example', '[1::2::3]', '[::g]', 'target.example:0', 'target.example:65536',
      'target.example:99999999', 'exämple.test', '', 'a..b', '-', '[::1', `${'a'.repeat(63)}.`.repeat(5), 'http://u@h', 'h?x=1', 'h#f', '169.254.169.254', '[fe80::1]'),
    text.filter((s) => /[^a-z0-9_.:\-[\]]/i.test(s.trim()) && s.trim() !== '' && !/^https?:\/\//i.test(s.trim())),
  ),
  'knocker-scheme': text.filter((s) => !['http', 'https'].includes(s.trim().toLowerCase())),
  'knocker-timeout': fc.oneof(notDecimal, huge, fc.integer({ min: 61, max: 1e9 }).map(String), fc.constantFrom('0', '-1', '0.0', '60.0001', '-0')),
  'knocker-retries': fc.oneof(notDecimal, huge, fc.integer({ min: 11, max: 1e9 }).map(String), fc.constantFrom('-1', '1.5', '0.1', '10.01')),
  'knocker-backoff-factor': fc.oneof(notDecimal, huge, fc.constantFrom('-1', '600.5', '-0.1')),
  'knocker-callback': fc.constantFrom('ftp://cb.example/', '/relative', 'http://', 'http://a b/', `http://cb.example/${'x'.repeat(2040)}`, 'javascript:alert(1)',
    'cb.example/failed', 'http://[fe80::1]/cb', 'http://169.254.169.254/'),
  'knocker-id': fc.oneof(fc.constantFrom('a:b', 'has space', '-lead', 'x'.repeat(129), 'ключ', '.dot', 'a\tb'), text.map((s) => `${s}:${s}`)),
};
const FIELDS = Object.keys(BAD);

const validHost = fc.constantFrom('target.example', 'a.b.example:8080', '[::1]:9000', '127.0.0.1', 'https://target.example', 'xn--bcher-kva.example');
const noise = fc.array(fc.tuple(fc.constantFrom('X-Fz-A', 'x-fz-b', 'Knocker-Trace', 'Accept', 'User-Agent', 'Content-Type'), text), { maxLength: 6 });
const body = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: MAX_BODY }), fc.integer({ min: MAX_BODY + 1, max: 4 * MAX_BODY })).chain((n) =>
  fc.uint8Array({ minLength: n, maxLength: n }).map((a) => Buffer.from(a)));

let counter = 0;
async function send(method: string, path: string, headers: Header[], payload: Buffer): Promise<RawReply> {
  const reply = await rawRequest(api.port, rawBytes(method, path, headers, payload));
  ran.statuses[reply.status] = (ran.statuses[reply.status] ?? 0) + 1;
  return reply;
}

function expectRefusal(reply: RawReply): Record<string, string[]> {
  expect(reply.status).toBeGreaterThanOrEqual(400);
  expect(reply.status).toBeLessThan(500);
  const answer = JSON.parse(reply.body) as { status: boolean; code: string; errors: Record<string, string[]> };
  expect(answer).toMatchObject({ status: false, code: expect.any(String) });
  expect(Object.keys(answer.errors).length).toBeGreaterThan(0);
  return answer.errors;
}

describe('the ingress under random and hostile input', () => {
  it('refuses exactly the broken headers, and accepts and stores the rest', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
          path: fc.constantFrom('/', '/hook?x=1', '/a%20b/c?q=%ff', '/hook/knocker/status', '/%C3%BC'),
          host: validHost,
          // About half the cases are valid, so acceptance is exercised as much as refusal.
          broken: fc.oneof(
            { arbitrary: fc.constant([] as Array<readonly [string, string]>), weight: 5 },
            { arbitrary: fc.uniqueArray(fc.constantFrom(...FIELDS), { minLength: 1, maxLength: 3 }).chain((fields) =>
              fc.tuple(...fields.map((f) => BAD[f]!.map((v) => [f, v] as const)))), weight: 5 },
          ),
          duplicate: fc.constantFrom(...Array<null>(12).fill(null), 'knocker-retries', 'knocker-id', 'knocker-host'),
          key: fc.constantFrom(...Array<string>(18).fill('ok'), 'missing', 'wrong'),
          loop: fc.constantFrom(...Array<boolean>(19).fill(false), true),
          noise,
          body,
        }),
        async (c) => {
          ran.targeted++;
          const id = `fz-${++counter}`;
          const base: Header[] = [['Knocker-Host', c.host], ['Knocker-Id', id], ['Knocker-Retries', '1'], ['Knocker-Timeout', '5']];
          const brokenFields = new Set(c.broken.map(([f]) => f));
          const headers: Header[] = [...base.filter(([n]) => !brokenFields.has(n.toLowerCase())), ...c.broken, ...c.noise];
          if (c.duplicate !== null) headers.push([c.duplicate, 'again']);
          if (c.key === 'ok') headers.push(['Knocker-Api-Key', KEY]);
          if (c.key === 'wrong') headers.push(['Knocker-Api-Key', `${KEY}x`]);
          if (c.loop) headers.push(['X-Knocker', '0.1.0']);
          const before = await queues.delivery.count();
          const reply = await send(c.method, c.path, headers, c.body);

          const expectedFields = new Set(brokenFields);
          if (c.duplicate !== null) expectedFields.add(c.duplicate);
          if (c.key !== 'ok') {
            expect(reply.status).toBe(401);
            expect(Object.keys(expectRefusal(reply))).toEqual(['knocker-api-key']);
          } else if (c.loop) {
            expect(reply.status).toBe(406);
            expect(Object.keys(expectRefusal(reply))).toEqual(['x-knocker']);
          } else if (expectedFields.size > 0) {
            expect(reply.status).toBe(400);
            expect(new Set(Object.keys(expectRefusal(reply)))).toEqual(expectedFields);
          } else if (c.body.length > MAX_BODY) {
            expect(reply.status).toBe(413);
            expect(Object.keys(expectRefusal(reply))).toEqual(['body']);
          } else {
            expect(reply.status).toBe(200);
            const answer = JSON.parse(reply.body);
            expect(answer).toMatchObject({ status: true, config: { id }, method: c.method, 'body-length': c.body.length });
            expect(reply.body).not.toContain(KEY);
            expect((await queues.delivery.getJob(deliveryJobId(id)))?.data.body).toBe(c.body.toString('base64'));
            expect(await queues.delivery.count()).toBe(before + 1);
            return;
          }
          expect(await queues.delivery.count()).toBe(before);
          expect(await queues.delivery.getJob(deliveryJobId(id))).toBeUndefined();
        },
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(api.alive()).toBe(true);
  });

  it('never answers 5xx nor stores anything it refused, whatever bytes come in', async () => {
    const anyByte = fc.string({ unit: 'binary', maxLength: 30 });
    const hostile = fc.oneof(
      anyByte,
      fc.constantFrom('h\r\nKnocker-Retries: 999', 'h\rX: y', 'h\nx', 'a\x00b', '\u0085', 'h\r\n\r\nGET / HTTP/1.1', '\x7f', 'h\u2028x'),
      text,
      huge,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          method: fc.constantFrom('GET', 'POST', 'PUT', 'PROPFIND', 'FOO', 'G ET', 'post'),
          path: fc.constantFrom('/', '/x y', '/%', '/\u00ff', 'http://evil.example/x', '*', '//double', '/a?b=%zz'),
          headers: fc.array(fc.tuple(fc.constantFrom('Knocker-Host', 'Knocker-Id', 'Knocker-Timeout', 'Knocker-Retries', 'Knocker-Callback', 'Knocker-Scheme',
            'Knocker-Api-Key', 'Knocker-Backoff-Factor', 'X-Any', 'Bad Name', 'Bad:Name', 'Transfer-Encoding', 'Content-Encoding'), hostile), { maxLength: 8 }),
          giant: fc.constantFrom(...Array<boolean>(15).fill(false), true),
          body,
        }),
        async (c) => {
          ran.hostile++;
          const headers: Header[] = [['Knocker-Api-Key', KEY], ...c.headers];
          if (c.giant) headers.push(['X-Giant', 'g'.repeat(20_000)]);
          const before = await queues.delivery.count();
          const bytes = rawBytes(c.method, c.path, headers, c.body);
          const reply = await send(c.method, c.path, headers, c.body);
          expect(reply.status).toBeLessThan(500);
          if (reply.status === 200) {
            // A short random Knocker-Id may come again: the duplicate's answer names the stored one.
            const answer = JSON.parse(reply.body);
            expect(await queues.delivery.getJob(deliveryJobId(answer.duplicate ? answer.id : answer.config.id))).toBeDefined();
            return;
          }
          const fields = Object.keys(expectRefusal(reply));
          // Header names as a server reads them off the wire, injected lines included.
          const head = bytes.toString('latin1').split('\r\n\r\n')[0]!.split(/\r?\n|\r/).slice(1);
          const onWire = head.map((line) => line.split(':')[0]!.trim().toLowerCase());
          const sent = new Set([...onWire, 'knocker-host', 'path', 'body', 'headers', 'request', 'x-knocker']);
          for (const f of fields) expect(sent).toContain(f);
          // An injected blank line splits the bytes into two pipelined requests; the first may be
          // valid and stored, and the refusal the client reads is the second one's.
          const pipelined = bytes.toString('latin1').indexOf('\r\n\r\n') < bytes.toString('latin1').lastIndexOf('Connection: close');
          if (!pipelined) expect(await queues.delivery.count()).toBe(before);
        },
      ),
      { numRuns: RUNS, endOnFailure: true },
    );
    expect(api.alive()).toBe(true);
  });
});
