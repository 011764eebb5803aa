import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import {
  request, sharedRedisUrl, startApi, startWorker, targetPool, uniquePrefix, type ApiProcess, type ChildHandle, type Recorded,
} from '@knocker/test-kit';

// Checked as a receiver would: with the Standard Webhooks reference library and the secret alone.
const OLD = `whsec_${Buffer.alloc(24, 11).toString('base64')}`;
const NEW = `whsec_${Buffer.alloc(32, 22).toString('base64')}`;

let api: ApiProcess;
let worker: ChildHandle;
// During a rotation: both secrets configured.
let rotatingApi: ApiProcess;
let rotatingWorker: ChildHandle;
const targets = targetPool();

beforeAll(async () => {
  const one = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('signatures'), env: { SIGNING_SECRETS: OLD } };
  [api, worker] = await Promise.all([startApi(one), startWorker(one)]);
}, 90_000);

afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill(), rotatingApi?.kill(), rotatingWorker?.kill(), targets.closeAll()]);
});

const target = targets.start;

async function knock(headers: Array<[string, string]>, body = '{"order":42}', via = api) {
  const res = await request(`${via.url}/hook`, { method: 'POST', headers: [['Knocker-Backoff-Factor', '0'], ['Content-Type', 'application/json'], ...headers], body });
  expect(res.status).toBe(200);
  return res.json();
}

const webhookHeaders = (r: Recorded | undefined) => ({
  'webhook-id': String(r?.headers['webhook-id']),
  'webhook-timestamp': String(r?.headers['webhook-timestamp']),
  'webhook-signature': String(r?.headers['webhook-signature']),
});
const verify = (secret: string, r: Recorded | undefined, body = r?.body.toString() ?? '') => new Webhook(secret).verify(body, webhookHeaders(r));

describe('SIGNING_SECRETS', () => {
  it('signs every attempt to the target with the request id and the time of that attempt', async () => {
    const t = await target((r) => ({ status: r.n === 1 ? 500 : 200 }));
    const { config } = await knock([['Knocker-Host', t.host], ['Knocker-Retries', '1'], ['Webhook-Signature', 'v1,forged']]);
    const seen = await t.waitForRequests(2, 15_000);
    for (const r of seen) {
      expect(verify(OLD, r)).toEqual({ order: 42 });
      expect(r.headers['webhook-id']).toBe(config.id);
      expect(Number(r.headers['webhook-timestamp'])).toBeCloseTo(r.at / 1000, -1);
      // The sender's own signature header is not forwarded beside Knocker's.
      expect(r.rawHeaders.filter((h) => h.toLowerCase() === 'webhook-signature')).toHaveLength(1);
    }
  });

  it('signs the failure callback and the success callback, each with an id of its own', async () => {
    const failing = await target(() => ({ status: 500 }));
    const failed = await target();
    const { config: a } = await knock([['Knocker-Host', failing.host], ['Knocker-Retries', '0'], ['Knocker-Callback', failed.url]]);
    const [callback] = await failed.waitForRequests(1, 15_000);
    expect(verify(OLD, callback)).toMatchObject({ config: { id: a.id }, status_code: 500 });
    expect(callback?.headers['webhook-id']).toBe(`cb-${a.id}`);

    const fine = await target(() => ({ status: 200, body: 'thanks' }));
    const ok = await target();
    const { config: b } = await knock([['Knocker-Host', fine.host], ['Knocker-Success-Callback', ok.url]]);
    const [success] = await ok.waitForRequests(1, 15_000);
    expect(verify(OLD, success)).toMatchObject({ id: b.id, status_code: 200, body: Buffer.from('thanks').toString('base64') });
    expect(success?.headers['webhook-id']).toBe(`ok-${b.id}`);
  });

  it('rejects, through the reference library, a tampered body and an old timestamp', async () => {
    const t = await target();
    await knock([['Knocker-Host', t.host]]);
    const [got] = await t.waitForRequests(1, 15_000);
    expect(() => verify(OLD, got, '{"order":43}')).toThrow(WebhookVerificationError);
    expect(() => verify(NEW, got)).toThrow(WebhookVerificationError);
    // The same message replayed ten minutes later: beyond the library's five-minute tolerance.
    const realNow = Date.now;
    Date.now = () => realNow() + 10 * 60_000;
    try {
      expect(() => verify(OLD, got)).toThrow(/timestamp/i);
    } finally {
      Date.now = realNow;
    }
    expect(verify(OLD, got)).toEqual({ order: 42 });
  });

});

describe('SIGNING_SECRETS during a rotation', () => {
  // Started after the first pair: four processes starting at once can miss their start-up time on a loaded machine.
  beforeAll(async () => {
    const two = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('rotation'), env: { SIGNING_SECRETS: `${OLD}, ${NEW}` } };
    [rotatingApi, rotatingWorker] = await Promise.all([startApi(two), startWorker(two)]);
  }, 90_000);

  it('signs once per secret so a receiver holding either accepts', async () => {
    const t = await target(() => ({ status: 500 }));
    const failed = await target();
    await knock([['Knocker-Host', t.host], ['Knocker-Retries', '0'], ['Knocker-Callback', failed.url]], '{"order":7}', rotatingApi);
    const [got] = await t.waitForRequests(1, 15_000);
    const [callback] = await failed.waitForRequests(1, 15_000);
    for (const r of [got, callback]) {
      expect(String(r?.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(verify(OLD, r)).toBeTruthy();
      expect(verify(NEW, r)).toBeTruthy();
    }
  });
});
