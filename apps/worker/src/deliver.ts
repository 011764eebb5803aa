import got, { type Got, type Method } from 'got';
import type { GuardedAgents } from '@knocker/netguard';
import { KNOCKER_VERSION, readTargetError, type HeaderPair } from '@knocker/protocol';
import { ADDRESS_REFUSED, failureStatusCode, type Attempt } from './attempt.js';
import { readRetrySignals } from './signals.js';
import { captureAnswer } from './success-callback.js';

export type HttpClient = Got;

export interface Call {
  method: string;
  url: string;
  headers: readonly HeaderPair[];
  body: Buffer;
  timeoutMs: number;
  /** Keep a successful answer's headers and at most this many bytes of its body (for a success callback). */
  captureBody?: number | undefined;
}

/**
 * got tuned for a relay: BullMQ does the retrying, so got's own retries are off; bodies pass
 * through untouched (no decompression); connections are kept alive because most traffic goes
 * to a few hosts; 4xx/5xx answers are results to record, not exceptions. The agents apply the
 * address policy to every connection, redirects included.
 */
export function createHttpClient(opts: { maxRedirects: number; agents: GuardedAgents }): HttpClient {
  return got.extend({
    agent: { http: opts.agents.http, https: opts.agents.https },
    retry: { limit: 0 },
    throwHttpErrors: false,
    decompress: false,
    followRedirect: opts.maxRedirects > 0,
    maxRedirects: opts.maxRedirects,
    allowGetBody: true,
    headers: { 'user-agent': `Knocker/${KNOCKER_VERSION}` },
  });
}

/**
 * Makes one call. Never throws: every outcome is an Attempt, failures included. An answer
 * carrying Knocker-Error-Code or Knocker-Error-Message is a failure whatever its status.
 */
export async function deliver(client: HttpClient, call: Call): Promise<Attempt> {
  const startedAt = Date.now();
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const res = await client(call.url, {
      method: call.method as Method,
      headers: toHeaderRecord(call.headers),
      body: call.body.length > 0 ? call.body : undefined,
      timeout: { request: call.timeoutMs },
    });
    const base = { statusCode: res.statusCode, startedAt, durationMs: elapsed() };
    const targetError = readTargetError(res.headers);
    if (targetError) {
      return readRetrySignals({ ...base, ok: false, targetError, error: `target reported ${targetError.code}${targetError.message === null ? '' : `: ${targetError.message}`}` }, res.headers);
    }
    if (res.statusCode < 400) {
      return call.captureBody === undefined ? { ...base, ok: true } : { ...base, ok: true, answer: captureAnswer(res.rawHeaders, res.rawBody, call.captureBody) };
    }
    return readRetrySignals({ ...base, ok: false, error: `HTTP ${res.statusCode}` }, res.headers);
  } catch (err) {
    const code = err instanceof Error ? (err as { code?: string }).code : undefined;
    const detail = err instanceof Error ? `${code ?? err.name}: ${err.message}` : String(err);
    const attempt: Attempt = { ok: false, statusCode: failureStatusCode(err), startedAt, durationMs: elapsed(), error: detail, network: true };
    return code === ADDRESS_REFUSED ? { ...attempt, code: 'address_refused' } : attempt;
  }
}

/** Node sends an array value as repeated header lines, which keeps repeated headers intact. */
function toHeaderRecord(pairs: readonly HeaderPair[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}
