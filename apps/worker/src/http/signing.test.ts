import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import { createSigner } from './signing.js';

const keyA = Buffer.alloc(24, 1);
const keyB = Buffer.alloc(32, 2);
const secret = (key: Buffer) => `whsec_${key.toString('base64')}`;
const headersOf = (pairs: Array<[string, string]>) => Object.fromEntries(pairs);

describe('createSigner', () => {
  it('signs nothing without keys', () => {
    expect(createSigner([])).toBeUndefined();
  });

  it("adds headers the reference library accepts, for each key, and drops the sender's own", () => {
    const body = Buffer.from('{"order":42}');
    const signed = createSigner([keyA, keyB])!.sign('req-1', [['content-type', 'application/json'], ['webhook-id', 'forged']], body);
    expect(signed.filter(([n]) => n === 'webhook-id')).toEqual([['webhook-id', 'req-1']]);
    expect(signed[0]).toEqual(['content-type', 'application/json']);
    for (const key of [keyA, keyB]) expect(new Webhook(secret(key)).verify(body.toString(), headersOf(signed))).toEqual({ order: 42 });
    expect(headersOf(signed)['webhook-signature']?.split(' ')).toHaveLength(2);
  });

  it('signs the exact bytes, even a body that is not UTF-8, and the unix second of the call', () => {
    const body = Buffer.from([0xff, 0x00, 0x80]);
    const signed = headersOf(createSigner([keyA])!.sign('x', [], body, 1_700_000_000_999));
    expect(signed['webhook-timestamp']).toBe('1700000000');
    // By hand, as the reference library decodes bodies as UTF-8 and so cannot tell 0x80 from 0x81.
    const expected = createHmac('sha256', keyA).update(Buffer.concat([Buffer.from('x.1700000000.'), body])).digest('base64');
    expect(signed['webhook-signature']).toBe(`v1,${expected}`);
  });
});
