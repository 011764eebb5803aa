import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { KnockerSignatureError, verifyDelivery } from './verify.js';

const key = randomBytes(24);
const secret = `whsec_${key.toString('base64')}`;
const other = `whsec_${randomBytes(24).toString('base64')}`;
const now = Math.floor(Date.now() / 1000);
const body = '{"event":"paid","amount":12}';

/** Signs as the Standard Webhooks spec says, independently of the code under test. */
function sign(id: string, ts: number, payload: string, k = key): string {
  return `v1,${createHmac('sha256', k).update(`${id}.${ts}.${payload}`).digest('base64')}`;
}
const headers = (extra: Record<string, string> = {}) => ({
  'x-knocker-id': 'order-42', 'x-knocker-attempt': '2', 'webhook-id': 'msg_order-42', 'webhook-timestamp': String(now),
  'webhook-signature': sign('msg_order-42', now, body), ...extra,
});
const problem = (p: Promise<unknown>) => p.then(() => 'verified', (e: unknown) => (e instanceof KnockerSignatureError ? e.code : String(e)));

describe('verifyDelivery', () => {
  it('returns id, attempt and timestamp of a correctly signed delivery', async () => {
    expect(await verifyDelivery({ headers: headers(), body }, { secrets: secret })).toEqual({ id: 'order-42', attempt: 2, timestamp: now });
  });

  it('accepts any v1 entry matching any secret: rotations on both sides', async () => {
    const two = `v1,${randomBytes(32).toString('base64')} ${sign('msg_order-42', now, body)}`;
    expect((await verifyDelivery({ headers: headers({ 'webhook-signature': two }), body }, { secrets: [other, secret] })).id).toBe('order-42');
    expect(await problem(verifyDelivery({ headers: headers(), body }, { secrets: [other] }))).toBe('invalid_signature');
  });

  it('refuses a changed body, id or timestamp, an old or future timestamp, and missing headers', async () => {
    expect(await problem(verifyDelivery({ headers: headers(), body: `${body} ` }, { secrets: secret }))).toBe('invalid_signature');
    expect(await problem(verifyDelivery({ headers: headers({ 'webhook-id': 'msg_other' }), body }, { secrets: secret }))).toBe('invalid_signature');
    const old = now - 301;
    expect(await problem(verifyDelivery({ headers: headers({ 'webhook-timestamp': String(old), 'webhook-signature': sign('msg_order-42', old, body) }), body }, { secrets: secret }))).toBe('timestamp_out_of_range');
    expect(await problem(verifyDelivery({ headers: headers({ 'webhook-timestamp': String(now + 301), 'webhook-signature': sign('msg_order-42', now + 301, body) }), body }, { secrets: secret }))).toBe('timestamp_out_of_range');
    expect(await problem(verifyDelivery({ headers: headers(), body }, { secrets: secret, toleranceSeconds: 10, now: now + 11 }))).toBe('timestamp_out_of_range');
    const { 'webhook-signature': _, ...unsigned } = headers();
    expect(await problem(verifyDelivery({ headers: unsigned, body }, { secrets: secret }))).toBe('missing_signature');
    expect(await problem(verifyDelivery({ headers: headers({ 'webhook-signature': 'v2,abc' }), body }, { secrets: secret }))).toBe('invalid_signature');
  });

  it('without secrets checks only that it is a Knocker delivery', async () => {
    expect(await verifyDelivery({ headers: { 'x-knocker-id': 'a', 'x-knocker-attempt': '1' } })).toEqual({ id: 'a', attempt: 1, timestamp: undefined });
    expect(await problem(verifyDelivery({ headers: { 'x-knocker-id': 'a', 'x-knocker-attempt': '0' } }))).toBe('not_a_delivery');
    expect(await problem(verifyDelivery({ headers: { 'x-knocker-attempt': '1' } }))).toBe('not_a_delivery');
  });

  it('reads a fetch Request and leaves its body readable, with bytes signed as bytes', async () => {
    const bytes = new Uint8Array([0, 255, 10, 13, 128]);
    const sig = `v1,${createHmac('sha256', key).update(Buffer.concat([Buffer.from(`m.${now}.`), Buffer.from(bytes)])).digest('base64')}`;
    const req = new Request('http://receiver/hook', { method: 'POST', body: bytes, headers: { ...headers(), 'webhook-id': 'm', 'webhook-signature': sig } });
    expect((await verifyDelivery(req, { secrets: secret })).attempt).toBe(2);
    expect(new Uint8Array(await req.arrayBuffer())).toEqual(bytes);
  });

  it('agrees with the standardwebhooks reference library, both ways', async () => {
    const wh = new Webhook(secret);
    const at = new Date(now * 1000);
    const signature = wh.sign('msg_1', at, body);
    const signed = { 'x-knocker-id': 'r1', 'x-knocker-attempt': '1', 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': signature };
    expect(await verifyDelivery({ headers: signed, body }, { secrets: secret })).toEqual({ id: 'r1', attempt: 1, timestamp: now });
    expect(wh.verify(body, { 'webhook-id': 'msg_1', 'webhook-timestamp': String(now), 'webhook-signature': sign('msg_1', now, body) })).toEqual(JSON.parse(body));
    const tampered = { ...signed, 'webhook-signature': new Webhook(other).sign('msg_1', at, body) };
    expect(await problem(verifyDelivery({ headers: tampered, body }, { secrets: secret }))).toBe('invalid_signature');
  });
});
