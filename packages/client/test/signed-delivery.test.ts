import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sharedRedisUrl, startApi, startWorker, stopAll, uniquePrefix, waitFor, type ApiProcess, type ChildHandle } from '@knocker/test-kit';
import { Knocker, KnockerSignatureError, verifyDelivery, type Delivery } from '../src/index.js';

// The real api and worker sign with SIGNING_SECRETS; a receiver on 127.0.0.1 checks each
// delivery with verifyDelivery and nothing else, as a user's receiver would.
const secret = `whsec_${randomBytes(32).toString('base64')}`;
const wrong = `whsec_${randomBytes(32).toString('base64')}`;
const prefix = uniquePrefix('signed');
const servers: Server[] = [];
let api: ApiProcess;
let worker: ChildHandle;
let knocker: Knocker;

beforeAll(async () => {
  const opts = { redisUrl: sharedRedisUrl(), prefix, env: { SIGNING_SECRETS: secret, ADMIN_API_KEY: 'admin-key-for-signed-0123456789' } };
  [api, worker] = await Promise.all([startApi(opts), startWorker(opts)]);
  knocker = new Knocker({ url: api.url, adminKey: 'admin-key-for-signed-0123456789' });
}, 120_000);
afterAll(async () => {
  await stopAll([api, worker].filter(Boolean));
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
});

interface Seen { headers: IncomingHttpHeaders; body: Buffer; outcome: Delivery | string }

/** A receiver: 200 with what verifyDelivery returned, or 401 with its code. `skew` runs its clock ahead. */
async function receiver(secrets: string[], skewSeconds = 0) {
  const seen: Seen[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    try {
      const delivery = await verifyDelivery({ headers: req.headers, body }, { secrets, now: Math.floor(Date.now() / 1000) + skewSeconds });
      seen.push({ headers: req.headers, body, outcome: delivery });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(delivery));
    } catch (err) {
      if (!(err instanceof KnockerSignatureError)) throw err;
      seen.push({ headers: req.headers, body, outcome: err.code });
      res.writeHead(401).end(err.code);
    }
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, seen };
}

async function deliver(url: string, id: string) {
  await knocker.knock({ url, id, body: { order: id }, retries: 0 });
  await waitFor(async () => ['delivered', 'failed'].includes((await knocker.requests.get(id)).state), { what: `${id} to end`, timeoutMs: 20_000 });
  return knocker.requests.get(id);
}

/** Sends the captured delivery again, changed, as an attacker would. */
async function replay(url: string, got: Seen, change: { body?: string; headers?: Record<string, string> }) {
  const headers = Object.fromEntries(Object.entries(got.headers).filter(([k]) => k.startsWith('x-knocker') || k.startsWith('webhook-') || k === 'content-type')) as Record<string, string>;
  return fetch(url, { method: 'POST', headers: { ...headers, ...change.headers }, body: change.body ?? got.body });
}

describe('a receiver using verifyDelivery, behind a signing Knocker', () => {
  it('accepts the genuine delivery and returns its id, attempt and timestamp', async () => {
    const r = await receiver([secret]);
    const before = Math.floor(Date.now() / 1000);
    const request = await deliver(r.url, 'signed-ok');
    expect(request).toMatchObject({ state: 'delivered', attempts: [{ status_code: 200 }] });
    expect(r.seen).toHaveLength(1);
    const outcome = r.seen[0]?.outcome as Delivery;
    expect(outcome).toEqual({ id: 'signed-ok', attempt: 1, timestamp: expect.any(Number) });
    expect(outcome.timestamp).toBeGreaterThanOrEqual(before);
    expect(outcome.timestamp).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    expect(r.seen[0]?.headers['webhook-id']).toBe('signed-ok');
  });

  it('accepts it during a rotation, with the old and the new secret', async () => {
    const r = await receiver([wrong, secret]);
    expect((await deliver(r.url, 'signed-rotating')).state).toBe('delivered');
  });

  it('refuses it with a wrong secret, or when its timestamp is too old for the receiver: the attempt fails', async () => {
    const other = await receiver([wrong]);
    expect(await deliver(other.url, 'signed-wrong-secret')).toMatchObject({ state: 'failed', attempts: [{ status_code: 401 }] });
    expect(other.seen.map((s) => s.outcome)).toEqual(['invalid_signature']);
    // A receiver whose clock is 301 s ahead sees a delivery older than the 300 s tolerance.
    const late = await receiver([secret], 301);
    expect(await deliver(late.url, 'signed-late')).toMatchObject({ state: 'failed', attempts: [{ status_code: 401 }] });
    expect(late.seen.map((s) => s.outcome)).toEqual(['timestamp_out_of_range']);
  });

  it('refuses a captured delivery sent again with its body, id or timestamp changed', async () => {
    const r = await receiver([secret]);
    await deliver(r.url, 'signed-captured');
    const got = r.seen[0] as Seen;
    const old = String(Number(got.headers['webhook-timestamp']) - 3600);
    expect((await replay(r.url, got, { body: '{"order":"someone else"}' })).status).toBe(401);
    expect((await replay(r.url, got, { headers: { 'webhook-id': 'signed-other' } })).status).toBe(401);
    expect((await replay(r.url, got, { headers: { 'webhook-timestamp': old } })).status).toBe(401);
    expect((await replay(r.url, got, { headers: { 'webhook-signature': 'v1,' } })).status).toBe(401);
    expect(r.seen.slice(1).map((s) => s.outcome)).toEqual(['invalid_signature', 'invalid_signature', 'timestamp_out_of_range', 'invalid_signature']);
    // Unchanged, it verifies again: a repeat is the receiver's to drop, by its id and attempt.
    expect(await (await replay(r.url, got, {})).json()).toEqual(got.outcome);
  });
});
