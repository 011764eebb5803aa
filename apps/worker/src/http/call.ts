import type { IncomingMessage } from 'node:http';
import { ERR_ADDRESS_REFUSED } from '@knocker/contract';
import { failureCause, type Authorizer, type RoutedAgents } from '@knocker/egress';
import { KNOCKER_VERSION, readTargetError, type HeaderPair } from '@knocker/protocol';
import { captureAnswer, errorCode, failureStatusCode, type Attempt } from './attempt.js';
import { Deadline, exchange, type Reply } from './exchange.js';
import { hostAllowed, redirectedMethod, redirectLocation, redirectRefusal, redirectTarget, withoutCredentials } from './redirects.js';
import { readRetrySignals } from './signals.js';

/**
 * Node's own client on keep-alive agents that apply the address policy to every connection:
 * BullMQ does the retrying, bodies pass through untouched (no decompression), 4xx/5xx answers
 * are results to record, and redirects are followed here, hop by hop, so that each is checked.
 */
export interface HttpClient {
  agents: RoutedAgents;
  /** MAX_REDIRECTS: 0 does not follow. */
  maxRedirects: number;
  /** TARGET_AUTH's tokens; undefined without it, and for callbacks. */
  auth?: Authorizer | undefined;
}

export function createHttpClient(opts: { maxRedirects: number; agents: RoutedAgents; auth?: Authorizer | undefined }): HttpClient {
  return { agents: opts.agents, maxRedirects: opts.maxRedirects, auth: opts.auth };
}

export interface Call {
  method: string;
  url: string;
  headers: readonly HeaderPair[];
  body: Buffer;
  timeoutMs: number;
  /** Keep a successful answer's headers and at most this many bytes of its body (for a success callback). */
  captureBody?: number | undefined;
  /** The headers to send with a body, signed; called for every hop, so no hop replays another's signature. */
  sign?: ((headers: readonly HeaderPair[], body: Buffer) => readonly HeaderPair[]) | undefined;
  /** HOSTS_ONLY, applied to every hop of a delivery; callbacks go where their caller said. */
  hostsOnly?: readonly string[] | undefined;
}

const USER_AGENT = `Knocker/${KNOCKER_VERSION}`;
const EMPTY = Buffer.alloc(0);
const KEEP_NOTHING = () => 0;
// Node sends Content-Length: 0 on these when they carry no body (as got did through it).
const NO_BODY_EXPECTED = new Set(['GET', 'HEAD', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/**
 * Makes one call: one attempt, redirects included, within one deadline. Never throws: every
 * outcome is an Attempt, failures included. An answer carrying Knocker-Error-Code or
 * Knocker-Error-Message is a failure whatever its status.
 */
export async function deliver(client: HttpClient, call: Call): Promise<Attempt> {
  const startedAt = Date.now();
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const deadline = new Deadline(call.timeoutMs);
  const keepOf = call.captureBody === undefined ? KEEP_NOTHING : capturing(client, call.captureBody);
  try {
    let url = new URL(call.url);
    let { method, headers } = call;
    let body = method === 'HEAD' ? EMPTY : call.body;
    if (call.hostsOnly !== undefined && !hostAllowed(call.hostsOnly, url)) {
      return { ok: false, statusCode: 403, startedAt, durationMs: 0, error: `${url.host} is not in HOSTS_ONLY`, code: 'address_refused' };
    }
    if ((url.username !== '' || url.password !== '') && !headers.some(([name]) => name === 'authorization')) headers = [...headers, basicAuth(url)];
    let renewed = false;
    for (;;) {
      const authorization = client.auth && (await client.auth.authorize(url, headers, deadline));
      const sent = authorization ? [...headers, authorization.header] : headers;
      const reply = await exchange(client.agents, deadline, { url, method, headers: wire(url, method, call.sign ? call.sign(sent, body) : sent, body), body }, keepOf);
      const { res } = reply;
      const status = res.statusCode ?? 0;
      // A token the target refused may have expired or been revoked: one fresh one per attempt.
      if (status === 401 && authorization && !renewed && authorization.renew()) {
        renewed = true;
        continue;
      }
      const location = client.maxRedirects > 0 ? redirectLocation(status, res.headers.location) : undefined;
      if (location === undefined) return outcome(reply, call, { statusCode: status, startedAt, durationMs: elapsed() });
      if (deadline.redirects >= client.maxRedirects) {
        return { ok: false, statusCode: status, startedAt, durationMs: elapsed(), error: `redirected more than ${client.maxRedirects} times (MAX_REDIRECTS)`, network: true };
      }
      const next = redirectTarget(location, url);
      const refusal = redirectRefusal(url, next, call.hostsOnly);
      if (refusal !== undefined) return { ok: false, statusCode: status, startedAt, durationMs: elapsed(), error: refusal, code: 'redirect_refused' };
      const nextMethod = redirectedMethod(status, method);
      if (nextMethod !== method) body = EMPTY;
      if (next.origin !== url.origin) headers = withoutCredentials(headers);
      method = nextMethod;
      url = next;
      deadline.redirects++;
    }
  } catch (err) {
    const code = errorCode(err);
    const detail = typeof err === 'object' && err !== null && 'message' in err ? `${code ?? (err as Error).name}: ${(err as Error).message}` : String(err);
    const cause = failureCause(code);
    const attempt: Attempt = { ok: false, statusCode: failureStatusCode(err), startedAt, durationMs: elapsed(), error: detail, network: true, ...(cause && { cause }) };
    return code === ERR_ADDRESS_REFUSED ? { ...attempt, code: 'address_refused' } : attempt;
  } finally {
    deadline.clear();
  }
}

/** The attempt an answer makes, once it is not a redirect to follow. */
function outcome(reply: Reply, call: Call, base: Pick<Attempt, 'statusCode' | 'startedAt' | 'durationMs'>): Attempt {
  const { res } = reply;
  const targetError = readTargetError(res.headers);
  if (targetError) {
    return readRetrySignals({ ...base, ok: false, targetError, error: `target reported ${targetError.code}${targetError.message === null ? '' : `: ${targetError.message}`}` }, res.headers);
  }
  if (base.statusCode < 400) {
    return call.captureBody === undefined ? { ...base, ok: true } : { ...base, ok: true, answer: captureAnswer(res.rawHeaders, reply.body, reply.truncated) };
  }
  return readRetrySignals({ ...base, ok: false, error: `HTTP ${base.statusCode}` }, res.headers);
}

/** Keeps the body only of an answer a success callback will report: a success, not a redirect to follow. */
function capturing(client: HttpClient, maxBytes: number): (res: IncomingMessage) => number {
  return (res) => {
    const status = res.statusCode ?? 0;
    if (status >= 400 || readTargetError(res.headers)) return 0;
    return client.maxRedirects > 0 && redirectLocation(status, res.headers.location) !== undefined ? 0 : maxBytes;
  };
}

/** The header lines of a hop as Node writes them: Host, a User-Agent unless the caller sent one, the caller's lines in order, the body's length. */
function wire(url: URL, method: string, headers: readonly HeaderPair[], body: Buffer): string[] {
  const out = ['host', url.host];
  if (!headers.some(([name]) => name === 'user-agent')) out.push('user-agent', USER_AGENT);
  for (const [name, value] of headers) out.push(name, value);
  if (body.length > 0 || !NO_BODY_EXPECTED.has(method)) out.push('content-length', String(body.length));
  return out;
}

/** User info in a URL, sent as got sent it: Basic credentials, for that origin only. */
function basicAuth(url: URL): HeaderPair {
  return ['authorization', `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`];
}
