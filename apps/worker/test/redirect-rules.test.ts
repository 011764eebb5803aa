import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Webhook } from 'standardwebhooks';
import {
  request, sharedRedisUrl, sleep, startApi, startWorker, targetPool, uniquePrefix, type ApiProcess, type ChildHandle, type Recorded,
} from '@knocker/test-kit';

// Every hop of a delivery is judged again: HOSTS_ONLY, no way down from https to http, and the
// caller's credentials and signatures meant for the first origin not carried to another one.
const SECRET = `whsec_${Buffer.alloc(24, 7).toString('base64')}`;
const fakeDns = { 'allowed.test': ['127.0.0.1'], 'outside.test': ['127.0.0.1'], 'secure.test': ['127.0.0.1'] };
const dir = mkdtempSync(join(tmpdir(), 'knocker-tls-'));
let api: ApiProcess;
let worker: ChildHandle;
let secure: https.Server;
const targets = targetPool();

beforeAll(async () => {
  // A certificate for secure.test that only the worker trusts.
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=secure.test', '-addext', 'subjectAltName=DNS:secure.test',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  const env = { HOSTS_ONLY: '127.0.0.1, allowed.test, secure.test', SIGNING_SECRETS: SECRET };
  const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('redirect-rules'), fakeDns, env };
  [api, worker] = await Promise.all([startApi(opts), startWorker({ ...opts, env: { ...env, NODE_EXTRA_CA_CERTS: join(dir, 'cert.pem') } })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill(), targets.closeAll(), secure && new Promise((r) => secure.close(r))]);
  rmSync(dir, { recursive: true, force: true });
});

async function knock(headers: Array<[string, string]>, body = '{"order":42}') {
  const res = await request(`${api.url}/hook`, { method: 'POST', headers: [['Knocker-Backoff-Factor', '0'], ['Content-Type', 'application/json'], ...headers], body });
  expect(res.status).toBe(200);
  return res.json().config.id as string;
}

const bodyOf = (r: Recorded | undefined) => JSON.parse(r?.body.toString() ?? '');
const portOf = (t: { port: number }) => t.port;

/** Redirects every request to `location`. */
const redirecting = (location: string, status = 302) => targets.start(() => ({ status, headers: { location } }));

describe('HOSTS_ONLY on every hop', () => {
  it('refuses a redirect to a host outside it, at once and for good, and says so in the callback', async () => {
    const elsewhere = await targets.start();
    const t = await redirecting(`http://outside.test:${portOf(elsewhere)}/x`);
    const cb = await targets.start();
    const id = await knock([['Knocker-Host', t.host], ['Knocker-Retries', '3'], ['Knocker-Callback', cb.url]]);
    const [callback] = await cb.waitForRequests(1, 15_000);
    expect(bodyOf(callback)).toMatchObject({ status_code: 302, attempts: 1, error: 'redirect_refused' });
    await sleep(1500);
    expect(t.requests).toHaveLength(1);
    expect(elsewhere.requests).toHaveLength(0);
    expect(worker.output()).toMatch(new RegExp(`Request #${id} .* 302 refused, not retried: a redirect to outside\\.test:\\d+ is not followed: not in HOSTS_ONLY`));
  });

  it('follows a redirect to a host it lists, on any port', async () => {
    const there = await targets.start();
    const t = await redirecting(`http://allowed.test:${portOf(there)}/y`);
    await knock([['Knocker-Host', t.host]]);
    const [arrived] = await there.waitForRequests(1);
    expect(arrived?.headers.host).toBe(`allowed.test:${portOf(there)}`);
  });
});

describe('https', () => {
  let port = 0;
  let plain: Awaited<ReturnType<typeof targets.start>>;
  beforeAll(async () => {
    plain = await targets.start();
    secure = https.createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, (req, res) => {
      req.resume();
      const to = req.url === '/same' ? '/landed' : req.url === '/down' ? `http://127.0.0.1:${portOf(plain)}/down` : undefined;
      res.writeHead(to ? 302 : 200, to ? { location: to } : {}).end(req.url);
    });
    await new Promise<void>((resolve) => secure.listen(0, '127.0.0.1', resolve));
    port = (secure.address() as AddressInfo).port;
  });

  const knockSecure = (path: string, callback: string) => request(`${api.url}${path}`, {
    method: 'POST', body: '{}',
    headers: [['Knocker-Host', `secure.test:${port}`], ['Knocker-Scheme', 'https'], ['Knocker-Retries', '2'], ['Knocker-Backoff-Factor', '0'], ['Knocker-Success-Callback', callback], ['Knocker-Callback', callback]],
  });

  it('follows a redirect within https', async () => {
    const cb = await targets.start();
    expect((await knockSecure('/same', cb.url)).status).toBe(200);
    const [done] = await cb.waitForRequests(1, 15_000);
    expect(bodyOf(done)).toMatchObject({ status_code: 200, body: Buffer.from('/landed').toString('base64') });
  });

  it('never follows one from https down to http', async () => {
    const cb = await targets.start();
    expect((await knockSecure('/down', cb.url)).status).toBe(200);
    const [failed] = await cb.waitForRequests(1, 15_000);
    expect(bodyOf(failed)).toMatchObject({ status_code: 302, attempts: 1, error: 'redirect_refused' });
    expect(plain.requests).toHaveLength(0);
  });
});

describe('credentials and signatures across origins', () => {
  it('drops Authorization and Cookie for another origin, and signs the hop anew', async () => {
    const there = await targets.start();
    const t = await redirecting(`http://allowed.test:${portOf(there)}/next`, 303);
    const id = await knock([['Knocker-Host', t.host], ['Authorization', 'Bearer for-the-target'], ['Cookie', 'session=for-the-target']]);
    const [first] = await t.waitForRequests(1);
    const [next] = await there.waitForRequests(1);
    expect(first?.headers).toMatchObject({ authorization: 'Bearer for-the-target', cookie: 'session=for-the-target' });
    expect(next?.method).toBe('GET');
    expect(next?.headers.authorization).toBeUndefined();
    expect(next?.headers.cookie).toBeUndefined();
    // A 303 leaves the body behind: only a signature made for this hop verifies.
    const headers = { 'webhook-id': String(next?.headers['webhook-id']), 'webhook-timestamp': String(next?.headers['webhook-timestamp']), 'webhook-signature': String(next?.headers['webhook-signature']) };
    expect(headers['webhook-id']).toBe(id);
    expect(() => new Webhook(SECRET).verify('', headers)).not.toThrow();
  });

  it('keeps them on a redirect within the same origin', async () => {
    const t = await targets.start((r) => (r.url === '/hook' ? { status: 307, headers: { location: '/kept' } } : { status: 200 }));
    await knock([['Knocker-Host', t.host], ['Authorization', 'Bearer same'], ['Cookie', 'c=1']]);
    const seen = await t.waitForRequests(2);
    expect(seen.map((r) => [r.url, r.headers.authorization, r.headers.cookie])).toEqual([['/hook', 'Bearer same', 'c=1'], ['/kept', 'Bearer same', 'c=1']]);
  });
});

describe('callbacks', () => {
  it.each([
    ['Knocker-Callback', 500],
    ['Knocker-Success-Callback', 200],
  ])("%s gets the request's headers but not its credentials", async (header, status) => {
    const t = await targets.start(() => ({ status }));
    const cb = await targets.start();
    await knock([['Knocker-Host', t.host], ['Knocker-Retries', '0'], [header, cb.url], ['Authorization', 'Bearer target-only'], ['Cookie', 'k=v'], ['X-Trace', 't-9']]);
    const [callback] = await cb.waitForRequests(1, 15_000);
    expect(callback?.headers).toMatchObject({ 'x-knocker-origin': 'knocker', 'x-trace': 't-9' });
    expect(callback?.headers.authorization).toBeUndefined();
    expect(callback?.headers.cookie).toBeUndefined();
  });
});
