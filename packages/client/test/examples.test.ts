import { createHmac, randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  freePort, sharedRedisUrl, startApi, startProcess, startWorker, stopAll, uniquePrefix, waitFor, type ApiProcess, type ChildHandle,
} from '@knocker/test-kit';
import { Knocker } from '../src/index.js';

// The receiver examples of the docs, run as they are, behind a real api and worker.
const prefix = uniquePrefix('examples');
const key = randomBytes(24);
const secret = `whsec_${key.toString('base64')}`;
const started: ChildHandle[] = [];
let api: ApiProcess;

beforeAll(async () => {
  // Every delivery is signed; a receiver started without SIGNING_SECRETS does not check.
  const opts = { redisUrl: sharedRedisUrl(), prefix, env: { SIGNING_SECRETS: secret } };
  const [a, w] = await Promise.all([startApi(opts), startWorker(opts)]);
  api = a;
  started.push(a, w);
}, 120_000);
afterAll(() => stopAll(started));

async function receiver(file: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const child = await startProcess({
    name: file, entry: fileURLToPath(new URL(`../examples/${file}`, import.meta.url)), env: { PORT: String(port), ...env }, ready: /listening on/,
  });
  started.push(child);
  return { child, url: `http://127.0.0.1:${port}/hook` };
}

function signed(id: string, body: string, k = key): Record<string, string> {
  const ts = String(Math.floor(Date.now() / 1000));
  const signature = `v1,${createHmac('sha256', k).update(`msg_${id}.${ts}.${body}`).digest('base64')}`;
  return { 'x-knocker-id': id, 'x-knocker-attempt': '1', 'webhook-id': `msg_${id}`, 'webhook-timestamp': ts, 'webhook-signature': signature };
}

describe.each(['receiver-http.mjs', 'receiver-express.mjs'])('%s', (file) => {
  it('takes a delivery from Knocker and handles a repeat once', async () => {
    const r = await receiver(file);
    const knocker = new Knocker({ url: api.url });
    const config = { id: `ex-${file}` };
    await knocker.knock({ url: r.url, body: { order: 42 }, id: config.id });
    await waitFor(() => r.child.output().includes(`delivery ${config.id} attempt 1: 12 bytes`), { what: 'the delivery', timeoutMs: 20_000 });
    // A worker that died after delivering makes the same attempt again: the receiver sees it is a repeat.
    await fetch(r.url, { method: 'POST', headers: { 'x-knocker-id': config.id, 'x-knocker-attempt': '1' }, body: '{"order":42}' });
    await waitFor(() => r.child.output().includes(`repeat ${config.id} attempt 1`), { what: 'the repeat' });
  });

  it('with SIGNING_SECRETS, takes the delivery Knocker signed, and answers 401 to an unsigned or forged one', async () => {
    const r = await receiver(file, { SIGNING_SECRETS: `whsec_${randomBytes(24).toString('base64')} ${secret}` });
    const config = { id: `signed-${file}` };
    await new Knocker({ url: api.url }).knock({ url: r.url, body: { order: 6 }, id: config.id });
    await waitFor(() => r.child.output().includes(`delivery ${config.id} attempt 1: 11 bytes`), { what: 'the signed delivery', timeoutMs: 20_000 });
    const wrong = await receiver(file, { SIGNING_SECRETS: `whsec_${randomBytes(24).toString('base64')}` });
    await new Knocker({ url: api.url }).knock({ url: wrong.url, body: { order: 6 }, retries: 0 });
    await waitFor(() => wrong.child.output().includes('refused: invalid_signature'), { what: 'the refusal', timeoutMs: 20_000 });

    const body = '{"order":7}';
    expect((await fetch(r.url, { method: 'POST', headers: signed('s-1', body), body })).status).toBe(200);
    expect((await fetch(r.url, { method: 'POST', headers: { 'x-knocker-id': 's-2', 'x-knocker-attempt': '1' }, body })).status).toBe(401);
    expect((await fetch(r.url, { method: 'POST', headers: signed('s-3', body, randomBytes(24)), body })).status).toBe(401);
    expect((await fetch(r.url, { method: 'POST', headers: signed('s-4', body), body: '{"order":8}' })).status).toBe(401);
    expect(r.child.output()).toMatch(/delivery s-1 attempt 1[\s\S]*refused: missing_signature[\s\S]*refused: invalid_signature[\s\S]*refused: invalid_signature/);
  });
});
