import { createHash } from 'node:crypto';
import { Receiver } from '@upstash/qstash';
import { signMessage } from './signature.js';
import { qstashCallback } from './callback.js';
import type { DeliveryJob } from '@knocker/queue';

const current = 'sig_' + 'c'.repeat(28);
const next = 'sig_' + 'n'.repeat(28);

describe('signMessage', () => {
  it('is what the SDK\'s Receiver verifies, with either key, for the URL and body signed', async () => {
    const receiver = new Receiver({ currentSigningKey: current, nextSigningKey: next });
    const body = '{"hello":"world"}';
    const url = 'http://127.0.0.1:9/hook?x=1';
    await expect(receiver.verify({ signature: signMessage(current, url, Buffer.from(body)), body, url })).resolves.toBe(true);
    await expect(receiver.verify({ signature: signMessage(next, url, Buffer.from(body)), body, url })).resolves.toBe(true);
    await expect(receiver.verify({ signature: signMessage(current, url, Buffer.from(body)), body: '{}', url })).rejects.toThrow(/body hash/);
    await expect(receiver.verify({ signature: signMessage('sig_other_key_0123456789', url, Buffer.from(body)), body, url })).rejects.toThrow();
    await expect(receiver.verify({ signature: signMessage(current, url, Buffer.from(body)), body, url: 'http://127.0.0.1:9/other' })).rejects.toThrow();
  });

  it('carries QStash\'s header and claims exactly, each token its own jti', () => {
    const body = Buffer.from('ünïcode body');
    const token = signMessage(current, 'https://e.example/ä?q=1', body, 1_700_000_000_999);
    const [header, claims] = token.split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(claims).toEqual({
      iss: 'Upstash', sub: 'https://e.example/ä?q=1', iat: 1_700_000_000, nbf: 1_700_000_000, exp: 1_700_000_300,
      jti: expect.stringMatching(/^jwt_[0-9a-f]{32}$/), body: createHash('sha256').update(body).digest('base64url'),
    });
    expect(token.split('.')[1]).not.toBe(signMessage(current, 'https://e.example/ä?q=1', body, 1_700_000_000_999).split('.')[1]);
  });

  it('is verified by the Receiver for an empty body', async () => {
    const receiver = new Receiver({ currentSigningKey: current, nextSigningKey: next });
    const url = 'http://127.0.0.1:9/bin';
    await expect(receiver.verify({ signature: signMessage(current, url, Buffer.alloc(0)), body: '', url })).resolves.toBe(true);
  });
});

describe('qstashCallback', () => {
  it('writes QStash\'s callback body', () => {
    const job: DeliveryJob = {
      config: { id: 'msg_1', host: 'h', scheme: 'http', timeout: 5, retries: 2, backoff_factor: 0, callback: 'http://cb/ko', success_callback: 'http://cb/ok' },
      method: 'POST', url: 'http://h/x', headers: [['content-type', 'text/plain'], ['x-knocker', '1']], body: Buffer.from('hi').toString('base64'), acceptedAt: 5, qstash: {},
    };
    const ok = qstashCallback(job, { status: 200, headers: [['x-a', '1'], ['x-a', '2']], body: Buffer.from('done'), retried: 1 }, false);
    expect(ok).toMatchObject({ kind: 'qstash', url: 'http://cb/ok', id: 'msg_1' });
    expect(ok.payload).toEqual({
      status: 200, header: { 'X-A': ['1', '2'] }, body: Buffer.from('done').toString('base64'), retried: 1, maxRetries: 2, sourceMessageId: 'msg_1',
      url: 'http://h/x', method: 'POST', sourceHeader: { 'Content-Type': ['text/plain'] }, sourceBody: job.body, notBefore: 5, createdAt: 5,
    });
    expect(qstashCallback(job, { status: 500, headers: [], body: Buffer.alloc(0), retried: 2 }, true)).toMatchObject({ url: 'http://cb/ko', payload: { dlqId: 'msg_1' } });
  });
});
