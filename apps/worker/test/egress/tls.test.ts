import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loopbackTls, makeCertificateAuthority, startWorker, targetPool, waitFor, type Target } from '@knocker/test-kit';
import { bodyOf, checkFailureCallback, logged, startRelay, stopRelays, type Relay } from './knock.js';

const dir = mkdtempSync(path.join(tmpdir(), 'egress-tls-'));
const ca = makeCertificateAuthority('Target CA', path.join(dir, 'ca'));
const otherCa = makeCertificateAuthority('Other CA', path.join(dir, 'other-ca'));
const server = ca.server('target');
const expiredServer = ca.server('expired', { notBefore: '20200101000000Z', notAfter: '20200102000000Z' });
const client = ca.client('knocker-client');
const rotated = ca.client('knocker-rotated');
const locked = ca.client('knocker-locked', { passphrase: 'correct horse' });
const expiredClient = ca.client('knocker-expired', { notBefore: '20200101000000Z', notAfter: '20200102000000Z' });
const file = (name: string, content: string | Buffer) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
const passphrase = file('passphrase', 'correct horse\n');
// The files TARGET_TLS names for the rotation test: replaced in place, then SIGHUP.
const liveCert = file('live.pem', client.cert);
const liveKey = file('live.key', client.key);

const targets = targetPool();
afterAll(async () => {
  await stopRelays();
  await targets.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

const mutual = (tls: { key: Buffer; cert: Buffer }) => ({ tls: { ...tls, ca: ca.cert, requestCert: true, rejectUnauthorized: true } });

describe('TARGET_TLS', () => {
  let mtls: Target;
  let mtlsLocked: Target;
  let wrongCa: Target;
  let expired: Target;
  let selfSigned: Target;
  let callbacks: Target;
  let plainRelay: Relay;
  let relay: Relay;

  beforeAll(async () => {
    [mtls, mtlsLocked, wrongCa, expired, selfSigned, callbacks] = await Promise.all([
      targets.start(undefined, mutual(server)), targets.start(undefined, mutual(server)),
      targets.start(undefined, { tls: server }), targets.start(undefined, { tls: expiredServer }),
      targets.start(undefined, { tls: { key: loopbackTls.key, cert: loopbackTls.cert } }), targets.start(),
    ]);
    const entries = [
      `127.0.0.1:${mtls.port} ca=${ca.certPath} cert=${liveCert} key=${liveKey}`,
      `127.0.0.1:${mtlsLocked.port} ca=${ca.certPath} cert=${locked.certPath} key=${locked.keyPath} passphrase_file=${passphrase}`,
      `127.0.0.1:${wrongCa.port} ca=${otherCa.certPath}`,
      `127.0.0.1:${expired.port} ca=${ca.certPath}`,
    ];
    [plainRelay, relay] = await Promise.all([
      // Trusts the target's CA the usual way, but has no client certificate to show.
      startRelay('egress-tls-none', { NODE_EXTRA_CA_CERTS: ca.certPath }),
      startRelay('egress-tls', { TARGET_TLS: entries.join('; ') }),
    ]);
  });

  const knock = (r: Relay, t: Target, headers: Array<[string, string]> = []) =>
    r.knock(t.host, [['Knocker-Scheme', 'https'], ['Knocker-Callback', callbacks.url], ...headers]);
  const callbackFor = (id: string) => waitFor(() => callbacks.requests.find((r) => bodyOf(r).config?.id === id), { timeoutMs: 15_000, what: `the callback of ${id}` });

  it('shows the client certificate to a target that requires one, and only with TARGET_TLS', async () => {
    const refused = await knock(plainRelay, mtls, [['Knocker-Retries', '0']]);
    const [attempt] = (await waitFor(async () => {
      const { attempts } = await plainRelay.inspect(refused);
      return attempts?.length ? attempts : undefined;
    }, { what: 'the refused attempt' }));
    // TLS 1.3: the server's alert may reach the client as the alert, or as a reset connection.
    expect(attempt?.error).toMatch(/^(ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED|ECONNRESET): /);
    expect(mtls.requests).toHaveLength(0);

    await knock(relay, mtls);
    const [got] = await mtls.waitForRequests(1);
    expect(got?.clientCert).toBe('knocker-client');
  });

  it('opens a client key with passphrase_file', async () => {
    await knock(relay, mtlsLocked);
    const [got] = await mtlsLocked.waitForRequests(1);
    expect(got?.clientCert).toBe('knocker-locked');
  });

  it.each([
    ['a CA that did not sign the server\'s certificate', () => wrongCa, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'unable to verify the first certificate'],
    ['an expired server certificate', () => expired, 'CERT_HAS_EXPIRED', 'certificate has expired'],
    ['a self-signed certificate nothing trusts', () => selfSigned, 'DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate'],
  ])('fails %s with the cause named in the record, the log and the callback, and retries it', async (_what, target, code, message) => {
    const id = await knock(relay, target(), [['Knocker-Retries', '1']]);
    const callback = await callbackFor(id);
    expect(bodyOf(callback)).toMatchObject({ attempts: 2, error: code });
    await checkFailureCallback(relay, bodyOf(callback));
    expect((await relay.inspect(id)).attempts.map((a) => a.error)).toEqual([`${code}: ${message}`, `${code}: ${message}`]);
    expect(relay.output()).toContain(`Request #${id} (1/2): "POST ${target().url}/hook" 999 failed, will retry: ${code}: ${message}`);
    expect(target().requests).toHaveLength(0);
  });

  it('ends at once when Knocker-Retry-On leaves network failures out', async () => {
    const id = await knock(relay, wrongCa, [['Knocker-Retries', '3'], ['Knocker-Retry-On', '5xx']]);
    expect(bodyOf(await callbackFor(id))).toMatchObject({ attempts: 1, error: 'outside_retry_on' });
  });

  it('takes new certificate files on SIGHUP, and keeps the old ones when the new ones are wrong', async () => {
    const seen = mtls.requests.length;
    copyFileSync(rotated.certPath, liveCert);
    copyFileSync(rotated.keyPath, liveKey);
    const worker = relay.workers[0]!;
    process.kill(worker.pid, 'SIGHUP');
    await logged(relay, /Egress files reloaded: TLS options for 4 targets \(TARGET_TLS\)/);
    await knock(relay, mtls);
    expect((await mtls.waitForRequests(seen + 1)).at(-1)?.clientCert).toBe('knocker-rotated');

    copyFileSync(client.keyPath, liveKey);
    process.kill(worker.pid, 'SIGHUP');
    await logged(relay, new RegExp(`Egress files not reloaded, those read before stay in use: TARGET_TLS: 127\\.0\\.0\\.1:${mtls.port}: key=.*live\\.key does not match cert=`));
    await knock(relay, mtls);
    expect((await mtls.waitForRequests(seen + 2)).at(-1)?.clientCert).toBe('knocker-rotated');
    expect(worker.alive()).toBe(true);
  });
});

describe('a worker whose egress files cannot be used', () => {
  const secret = file('client-secret', 's3cret\n');
  it.each([
    ['an expired client certificate', () => ({ TARGET_TLS: `127.0.0.1:4443 cert=${expiredClient.certPath} key=${expiredClient.keyPath}` }),
      /TARGET_TLS: 127\.0\.0\.1:4443: cert=.* expired on 2020-01-02T00:00:00\.000Z/],
    ['a key that does not match its certificate', () => ({ TARGET_TLS: `*.corp.example cert=${client.certPath} key=${rotated.keyPath}` }),
      /TARGET_TLS: \*\.corp\.example: key=.* does not match cert=/],
    ['a wrong passphrase', () => ({ TARGET_TLS: `127.0.0.1:4443 cert=${locked.certPath} key=${locked.keyPath} passphrase_file=${secret}` }),
      /TARGET_TLS: 127\.0\.0\.1:4443: key=.* cannot be opened with the passphrase/],
    ['a missing CA file', () => ({ TARGET_TLS: `127.0.0.1:4443 ca=${path.join(dir, 'missing.pem')}` }), /TARGET_TLS: 127\.0\.0\.1:4443: ca=.*missing\.pem cannot be read \(ENOENT\)/],
    ['a missing client secret', () => ({ TARGET_AUTH: `127.0.0.1:4443 oauth2 token_url=http://127.0.0.1:1/token client_id=k client_secret_file=${path.join(dir, 'nope')}` }),
      /TARGET_AUTH: 127\.0\.0\.1:4443: client_secret_file=.*nope cannot be read \(ENOENT\)/],
    ['a proxy URL with a path', () => ({ EGRESS_PROXY: 'http://knocker:s3cret@127.0.0.1:3128/x' }), /EGRESS_PROXY: expected http:\/\/\[user:password@\]host:port/],
  ])('exits 78 on %s, naming the variable and the target', async (_what, env, message) => {
    const failure = await startWorker({ redisUrl: 'redis://127.0.0.1:1', prefix: 'x', env: env() }).then(() => undefined, (err: Error) => err);
    expect(failure?.message).toMatch(message);
    expect(failure?.message).toMatch(/exit(ed)? .*78|code 78/);
    expect(failure?.message).not.toMatch(/s3cret|correct horse/);
  });
});
