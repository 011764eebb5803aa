import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenUnavailableError } from './errors.js';
import { parseTargetAuth, type OAuth2Setting } from '@knocker/config';
import { createTokenSource, readAnswer, type TokenClientOptions } from './token.js';

interface Seen {
  authorization: string | undefined;
  form: URLSearchParams;
}
type Answer = { status?: number; body?: string; delayMs?: number };

let answer: (n: number) => Answer = () => ({});
const seen: Seen[] = [];
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    seen.push({ authorization: req.headers.authorization, form: new URLSearchParams(Buffer.concat(chunks).toString()) });
    const a = answer(seen.length);
    setTimeout(() => {
      if (!res.destroyed) res.writeHead(a.status ?? 200, { 'content-type': 'application/json' }).end(a.body ?? JSON.stringify({ access_token: `token-${seen.length}`, token_type: 'Bearer', expires_in: 3600 }));
    }, a.delayMs ?? 0);
  });
});
let tokenUrl = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tokenUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/oauth/token`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const agent = new http.Agent({ keepAlive: true });
function source(extra = '', opts: Partial<TokenClientOptions> = {}) {
  const [setting] = parseTargetAuth(`api.example:443 oauth2 token_url=${tokenUrl} client_id=knocker:1 client_secret_file=/s ${extra}`) as [OAuth2Setting];
  return createTokenSource({ setting, secret: 's3cret/+', agentFor: () => agent, ...opts });
}
const fresh = () => {
  seen.splice(0);
  answer = () => ({});
};

describe('the client-credentials client', () => {
  it('authenticates with client_secret_basic, each half form-encoded, and asks for scope, audience and resource', async () => {
    fresh();
    expect(await source('scope=a,b audience=api resource=https://api.example/').token()).toBe('token-1');
    const [{ authorization, form }] = seen as [Seen];
    expect(Buffer.from(authorization!.replace('Basic ', ''), 'base64').toString()).toBe('knocker%3A1:s3cret%2F%2B');
    expect(Object.fromEntries(form)).toEqual({ grant_type: 'client_credentials', scope: 'a b', audience: 'api', resource: 'https://api.example/' });
  });

  it('sends the credentials in the form with auth=post', async () => {
    fresh();
    await source('auth=post').token();
    expect(seen[0]?.authorization).toBeUndefined();
    expect(Object.fromEntries(seen[0]!.form)).toEqual({ grant_type: 'client_credentials', client_id: 'knocker:1', client_secret: 's3cret/+' });
  });

  it('fetches once for many callers at the same moment, and keeps the token until shortly before it expires', async () => {
    fresh();
    let now = 1_000_000;
    answer = () => ({ delayMs: 50 });
    const tokens = source('', { now: () => now });
    expect(new Set(await Promise.all(Array.from({ length: 50 }, () => tokens.token())))).toEqual(new Set(['token-1']));
    expect(seen).toHaveLength(1);
    now += 3540_000 - 1;
    expect(await tokens.token()).toBe('token-1');
    now += 1;
    expect(await tokens.token()).toBe('token-2');
    expect(seen).toHaveLength(2);
  });

  it('drops a token the target refused, unless a newer one replaced it', async () => {
    fresh();
    const tokens = source();
    const first = await tokens.token();
    tokens.forget(first);
    const second = await tokens.token();
    expect(second).not.toBe(first);
    tokens.forget(first);
    expect(await tokens.token()).toBe(second);
    expect(seen).toHaveLength(2);
  });

  it('fails as token_unavailable, naming the OAuth error and never the body or the secret, and holds the failure for a second', async () => {
    fresh();
    let now = 5_000_000;
    answer = (n) => (n === 1 ? { status: 401, body: '{"error":"invalid_client","error_description":"bad secret s3cret/+"}' } : {});
    const tokens = source('', { now: () => now });
    const failure = await tokens.token().catch((err: Error) => err);
    expect(failure).toBeInstanceOf(TokenUnavailableError);
    expect((failure as TokenUnavailableError).code).toBe('token_unavailable');
    expect((failure as Error).message).toBe(`token for api.example:443 from ${tokenUrl.replace('/oauth/token', '')}/oauth/token: the endpoint answered 401 (invalid_client)`);
    expect(await tokens.token().catch((err: Error) => err)).toBe(failure);
    expect(seen).toHaveLength(1);
    now += 1000;
    expect(await tokens.token()).toBe('token-2');
  });

  it.each([
    ['an answer over 64 KiB', { body: JSON.stringify({ access_token: 'a'.repeat(70_000), token_type: 'Bearer' }) }, /larger than 65536 bytes/],
    ['no answer in time', { delayMs: 2000 }, /no answer within 300 ms/],
    ['a token that would break the header', { body: JSON.stringify({ access_token: 'a\r\nX-Injected: 1', token_type: 'Bearer' }) }, /no usable access_token/],
    ['a token type other than Bearer', { body: JSON.stringify({ access_token: 'abc', token_type: 'mac' }) }, /token_type is not Bearer/],
    ['a body that is not JSON', { body: '<html>' }, /no usable access_token/],
  ])('refuses %s', async (_what, reply, message) => {
    fresh();
    answer = () => reply;
    await expect(source('', { timeoutMs: 300 }).token()).rejects.toThrow(message);
  });

  it('cannot reach an endpoint that is not there', async () => {
    const [setting] = parseTargetAuth('api.example:443 oauth2 token_url=http://127.0.0.1:1/token client_id=k client_secret_file=/s') as [OAuth2Setting];
    await expect(createTokenSource({ setting, secret: 'x', agentFor: () => agent }).token()).rejects.toThrow(/the endpoint cannot be reached \(ECONNREFUSED: /);
  });
});

describe('a token answer', () => {
  it('keeps a token without expires_in for five minutes, and reads expires_in sent as a string', () => {
    expect(readAnswer(200, Buffer.from('{"access_token":"t","token_type":"bearer"}'))).toEqual({ token: 't', lifetimeMs: 300_000 });
    expect(readAnswer(200, Buffer.from('{"access_token":"t","token_type":"Bearer","expires_in":"90"}'))).toEqual({ token: 't', lifetimeMs: 90_000 });
    expect(readAnswer(200, Buffer.from('{"access_token":"t","token_type":"Bearer","expires_in":1e12}'))).toEqual({ token: 't', lifetimeMs: 24 * 3600_000 });
    expect(readAnswer(500, Buffer.from('{"error":"a\\nb"}'))).toBe('the endpoint answered 500');
  });
});
