import http from 'node:http';
import https from 'node:https';
import { TokenUnavailableError } from './errors.js';
import type { OAuth2Setting } from '@knocker/config';

/** Bounds of one call to a token endpoint. */
export const TOKEN_TIMEOUT_MS = 10_000;
export const TOKEN_MAX_BYTES = 64 * 1024;
/** A token is used until this long before it expires (at most a tenth of its life). */
const EARLY_MS = 60_000;
/** Tokens whose answer gave no expires_in are kept this long; a 401 replaces them sooner. */
const DEFAULT_LIFETIME_MS = 300_000;
const MAX_LIFETIME_MS = 24 * 3600_000;
/** After a failed fetch, callers get the same failure for this long instead of fetching again at once. */
const FAILURE_HOLD_MS = 1000;
// RFC 6750 §2.1's b64token: what may follow "Bearer " without breaking the header.
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_TOKEN_LENGTH = 16 * 1024;

/** Tokens for one TARGET_AUTH entry, shared by every delivery of the worker. */
export interface TokenSource {
  /** A token from the cache, or fetched: callers arriving while a fetch runs wait for that one. */
  token(): Promise<string>;
  /** The target refused `token`: drop it, unless a newer one replaced it already. */
  forget(token: string): void;
}

export interface TokenClientOptions {
  setting: OAuth2Setting;
  secret: string;
  /** The agent for the token endpoint: the egress rules (proxy, TARGET_TLS), without the address guard. */
  agentFor: (url: URL) => http.Agent;
  now?: () => number;
  /** TOKEN_TIMEOUT_MS unless a test asks for less. */
  timeoutMs?: number;
}

/** OAuth 2.0 client credentials (RFC 6749 §4.4), with client_secret_basic or client_secret_post. */
export function createTokenSource(opts: TokenClientOptions): TokenSource {
  const now = opts.now ?? Date.now;
  let cached: { token: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;
  let failed: { error: TokenUnavailableError; until: number } | undefined;

  const fetchOne = async (): Promise<string> => {
    const asked = now();
    try {
      const answer = await requestToken(opts);
      cached = { token: answer.token, refreshAt: asked + answer.lifetimeMs - Math.min(EARLY_MS, answer.lifetimeMs / 10) };
      failed = undefined;
      return answer.token;
    } catch (err) {
      const error = err instanceof TokenUnavailableError ? err : new TokenUnavailableError(`${where(opts.setting)}: ${(err as Error).message}`);
      failed = { error, until: now() + FAILURE_HOLD_MS };
      throw error;
    } finally {
      pending = undefined;
    }
  };

  return {
    token() {
      if (cached !== undefined && now() < cached.refreshAt) return Promise.resolve(cached.token);
      if (pending !== undefined) return pending;
      if (failed !== undefined && now() < failed.until) return Promise.reject(failed.error);
      pending = fetchOne();
      return pending;
    },
    forget(token) {
      if (cached?.token === token) cached = undefined;
    },
  };
}

/** For messages: the target and the endpoint, without its query (which might carry something private). */
function where(setting: OAuth2Setting): string {
  const url = new URL(setting.tokenUrl);
  return `token for ${setting.target.text} from ${url.origin}${url.pathname}`;
}

interface TokenAnswer {
  token: string;
  lifetimeMs: number;
}

/** One POST to the token endpoint, bounded in time and size; its body is never quoted in a message. */
function requestToken(opts: TokenClientOptions): Promise<TokenAnswer> {
  const { setting, secret } = opts;
  const url = new URL(setting.tokenUrl);
  const form = new URLSearchParams({ grant_type: 'client_credentials' });
  if (setting.scope !== undefined) form.set('scope', setting.scope);
  if (setting.audience !== undefined) form.set('audience', setting.audience);
  if (setting.resource !== undefined) form.set('resource', setting.resource);
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' };
  if (setting.auth === 'basic') {
    // RFC 6749 §2.3.1: each half form-encoded before Basic.
    headers.authorization = `Basic ${Buffer.from(`${formEncode(setting.clientId)}:${formEncode(secret)}`).toString('base64')}`;
  } else {
    form.set('client_id', setting.clientId);
    form.set('client_secret', secret);
  }
  const body = Buffer.from(form.toString());
  headers['content-length'] = String(body.length);
  const fail = (why: string) => new TokenUnavailableError(`${where(setting)}: ${why}`);

  return new Promise<TokenAnswer>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: TokenAnswer | Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (outcome instanceof Error) {
        req.destroy();
        reject(outcome);
      } else resolve(outcome);
    };
    const req = (url.protocol === 'https:' ? https : http).request(url, { method: 'POST', headers, agent: opts.agentFor(url) }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > TOKEN_MAX_BYTES) settle(fail(`the answer is larger than ${TOKEN_MAX_BYTES} bytes`));
        else chunks.push(chunk);
      });
      res.on('end', () => {
        const read = readAnswer(res.statusCode ?? 0, Buffer.concat(chunks));
        settle(typeof read === 'string' ? fail(read) : read);
      });
      res.on('close', () => settle(fail('the answer broke off')));
    });
    const timeoutMs = opts.timeoutMs ?? TOKEN_TIMEOUT_MS;
    const timer = setTimeout(() => settle(fail(`no answer within ${timeoutMs} ms`)), timeoutMs);
    req.on('error', (err) => {
      const code = (err as NodeJS.ErrnoException).code;
      settle(fail(`the endpoint cannot be reached (${code === undefined ? '' : `${code}: `}${err.message.trim()})`));
    });
    req.end(body);
  });
}

/** The token and its life, or why the answer is not one (an OAuth error code is named, the rest of the body never). */
export function readAnswer(status: number, body: Buffer): TokenAnswer | string {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    json = undefined;
  }
  const fields = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  if (status !== 200) {
    const code = typeof fields.error === 'string' && /^[\x20-\x21\x23-\x5b\x5d-\x7e]{1,64}$/.test(fields.error) ? ` (${fields.error})` : '';
    return `the endpoint answered ${status}${code}`;
  }
  const token = fields.access_token;
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !B64TOKEN.test(token)) return 'the answer holds no usable access_token';
  if (typeof fields.token_type !== 'string' || fields.token_type.toLowerCase() !== 'bearer') return 'the answer\'s token_type is not Bearer';
  const expiresIn = fields.expires_in;
  // A number, as RFC 6749 says, or a string of digits, as some servers send it.
  const seconds = typeof expiresIn === 'string' && /^\d{1,9}$/.test(expiresIn) ? Number(expiresIn) : expiresIn;
  const lifetimeMs = typeof seconds === 'number' && Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds * 1000, MAX_LIFETIME_MS) : DEFAULT_LIFETIME_MS;
  return { token, lifetimeMs };
}

/** application/x-www-form-urlencoded, as RFC 6749 appendix B asks for client credentials. */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2);
}
