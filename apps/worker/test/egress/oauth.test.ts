import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startAuthServer, targetPool, waitFor, type AuthServer, type Recorded, type Target } from '@knocker/test-kit';
import { bodyOf, checkFailureCallback, logged, startRelay, stopRelays, type Relay } from './knock.js';

const RESOURCE = 'https://target.test/';
const dir = mkdtempSync(path.join(tmpdir(), 'egress-oauth-'));
const file = (name: string, content: string) => {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
};
const targets = targetPool();
let auth: AuthServer;
afterAll(async () => {
  await stopRelays();
  await Promise.all([targets.closeAll(), auth?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const bearerOf = (r: Recorded | undefined) => r?.headers.authorization?.replace(/^Bearer /, '');

describe('TARGET_AUTH with a real authorization server', () => {
  let api: Target;
  let post: Target;
  let flaky: Target;
  let fixed: Target;
  let callbacks: Target;
  let relay: Relay;
  const revoked = new Set<string>();
  const issued = new Set<string>();
  // What the target answers: 200 for a token signed by the server, for it, and not revoked; 401 otherwise.
  const checked = async (rec: Recorded) => {
    const token = bearerOf(rec) ?? '';
    if (token === 'caller-own-token') return { status: 200 };
    const claims = await auth.verify(token);
    if (claims === undefined || revoked.has(claims.jti)) return { status: 401, body: 'token refused' };
    issued.add(token);
    return { status: 200, body: claims.client_id };
  };

  beforeAll(async () => {
    // On 127.0.0.5, which ALLOWED_NETWORKS does not list: the guard is for targets, not for the token endpoint the operator named.
    auth = await startAuthServer({
      host: '127.0.0.5', resource: RESOURCE, ttlSeconds: 3600,
      clients: [{ clientId: 'knocker', clientSecret: 'basic-s3cret' }, { clientId: 'knocker-post', clientSecret: 'post-s3cret', method: 'client_secret_post' }],
    });
    [api, post, flaky, fixed, callbacks] = await Promise.all([targets.start(checked), targets.start(checked), targets.start(checked), targets.start(), targets.start()]);
    const basic = file('basic-secret', 'basic-s3cret\n');
    const oauth = (t: Target, client: string, secret: string, extra = '') =>
      `${t.host} oauth2 token_url=${auth.tokenUrl} client_id=${client} client_secret_file=${secret} scope=deliver resource=${RESOURCE} ${extra}`;
    relay = await startRelay('egress-oauth', {
      BLOCK_PRIVATE_NETWORKS: 'true', ALLOWED_NETWORKS: '127.0.0.1/32',
      TARGET_AUTH: [
        oauth(api, 'knocker', basic), oauth(post, 'knocker-post', file('post-secret', 'post-s3cret'), 'auth=post'), oauth(flaky, 'knocker', basic),
        `${fixed.host} bearer_file=${file('static-token', 'st4tic-t0ken\n')}`,
      ].join('; '),
    }, { workers: 2 });
  });

  it('fetches a handful of tokens for 200 deliveries over 2 workers, not 200', async () => {
    const ids: string[] = [];
    for (let batch = 0; batch < 10; batch++) ids.push(...(await Promise.all(Array.from({ length: 20 }, () => relay.knock(api.host)))));
    await waitFor(() => issued.size > 0 && api.requests.length >= 200, { timeoutMs: 60_000, what: '200 deliveries' });
    await waitFor(async () => (await relay.inspect(ids.at(-1)!)).state === 'delivered', { what: 'the last request to be delivered' });
    expect(api.requests).toHaveLength(200);
    expect(api.requests.every((r) => r.headers['x-knocker-attempt'] === '1' && bearerOf(r) !== undefined)).toBe(true);
    expect(await Promise.all(api.requests.map(async (r) => (await auth.verify(bearerOf(r)!))?.client_id))).toEqual(new Array(200).fill('knocker'));
    // One fetch per worker, each shared by the deliveries that needed it at the same moment.
    process.stdout.write(`token requests for 200 deliveries over 2 workers: ${auth.tokenRequests}\n`);
    expect(auth.tokenRequests).toBeGreaterThanOrEqual(1);
    expect(auth.tokenRequests).toBeLessThanOrEqual(4);
  }, 90_000);

  it('leaves a caller\'s own Authorization alone and fetches nothing for it', async () => {
    const before = auth.tokenRequests;
    const seen = api.requests.length;
    await relay.knock(api.host, [['Authorization', 'Bearer caller-own-token']]);
    const got = (await api.waitForRequests(seen + 1)).at(-1);
    expect(got?.rawHeaders.filter((h) => /^authorization$/i.test(h))).toHaveLength(1);
    expect(bearerOf(got)).toBe('caller-own-token');
    expect(auth.tokenRequests).toBe(before);
  });

  it('replaces a revoked token after the target\'s 401, within the same attempt', async () => {
    for (const r of api.requests) {
      const claims = await auth.verify(bearerOf(r) ?? '');
      if (claims) revoked.add(claims.jti);
    }
    const before = auth.tokenRequests;
    const seen = api.requests.length;
    const id = await relay.knock(api.host);
    const [refused, accepted] = (await api.waitForRequests(seen + 2)).slice(seen);
    expect([refused?.headers['x-knocker-attempt'], accepted?.headers['x-knocker-attempt']]).toEqual(['1', '1']);
    expect(bearerOf(accepted)).not.toBe(bearerOf(refused));
    await waitFor(async () => (await relay.inspect(id)).state === 'delivered', { what: 'the request to be delivered' });
    expect(auth.tokenRequests).toBe(before + 1);
  });

  it('authenticates with client_secret_post', async () => {
    await relay.knock(post.host);
    const [got] = await post.waitForRequests(1);
    expect((await auth.verify(bearerOf(got)!))?.client_id).toBe('knocker-post');
  });

  it('sends a bearer_file token as it is, and does not retry its 401', async () => {
    fixed.respond = () => ({ status: 401 });
    const id = await relay.knock(fixed.host, [['Knocker-Retries', '0'], ['Knocker-Callback', callbacks.url]]);
    const [got] = await fixed.waitForRequests(1);
    expect(got?.headers.authorization).toBe('Bearer st4tic-t0ken');
    await waitFor(() => callbacks.requests.find((r) => bodyOf(r).config?.id === id), { what: 'the callback' });
    expect(fixed.requests).toHaveLength(1);
  });

  it('fails as token_unavailable while the token endpoint fails, retries, and delivers once it is back', async () => {
    auth.failing = true;
    const failing = await relay.knock(flaky.host, [['Knocker-Retries', '0'], ['Knocker-Callback', callbacks.url]]);
    const callback = await waitFor(() => callbacks.requests.find((r) => bodyOf(r).config?.id === failing), { timeoutMs: 15_000, what: 'the callback' });
    expect(bodyOf(callback)).toMatchObject({ status_code: 503, attempts: 1, error: 'token_unavailable' });
    await checkFailureCallback(relay, bodyOf(callback));
    const [attempt] = (await relay.inspect(failing)).attempts;
    expect(attempt?.error).toBe(`token_unavailable: token for ${flaky.host} from ${auth.issuer}/token: the endpoint answered 500 (server_error)`);

    const retried = await relay.knock(flaky.host, [['Knocker-Retries', '5']]);
    await logged(relay, new RegExp(`Request #${retried} \\(1/6\\).* 503 failed, will retry: token_unavailable: `));
    auth.failing = false;
    const [got] = await flaky.waitForRequests(1, 20_000);
    expect(Number(got?.headers['x-knocker-attempt'])).toBeGreaterThan(1);
    expect(got?.headers['x-knocker-id']).toBe(retried);
  });

  it('never logs, stores or calls back with a token or a secret', async () => {
    const tokens = [...api.requests, ...post.requests, ...flaky.requests].map(bearerOf).filter((t): t is string => t !== undefined && t !== 'caller-own-token');
    expect(tokens.length).toBeGreaterThan(200);
    const said = [relay.output(), ...callbacks.requests.map((r) => `${r.rawHeaders.join('\n')}\n${r.body.toString()}`)].join('\n');
    for (const secret of ['basic-s3cret', 'post-s3cret', 'st4tic-t0ken', ...new Set(tokens)]) expect(said).not.toContain(secret);
    expect(callbacks.requests.some((r) => r.headers.authorization !== undefined)).toBe(false);
    const stored = JSON.stringify(await relay.inspect(api.requests.at(-1)!.headers['x-knocker-id'] as string));
    expect(stored).toContain('"state":"delivered"');
    expect(stored).not.toMatch(/Bearer|authorization/i);
  });
});
