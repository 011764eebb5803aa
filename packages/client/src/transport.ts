import { apiError, KnockerError, KnockerNetworkError, KnockerResponseError, KnockerUnavailableError, type FieldErrors } from './errors.js';

/** Opt-in: send again after a 503, a 429 or a network error. */
export interface RetryOptions {
  /** Attempts after the first. Default 3. */
  retries?: number;
  /** First wait, doubled each time, with jitter; a Retry-After wins. Default 200 ms. */
  minDelayMs?: number;
  /** Default 5000 ms. */
  maxDelayMs?: number;
}

export interface TransportOptions {
  url: string;
  retry: Required<RetryOptions> | undefined;
  timeoutMs: number;
  fetch: typeof fetch;
}

/** What fetch takes as a body. */
export type RequestBody = NonNullable<RequestInit['body']>;

export interface Call {
  method: string;
  path: string;
  headers?: Array<[string, string]>;
  body?: RequestBody | undefined;
  /** Only calls that cannot do anything twice are retried. */
  retryable: boolean;
}

export function retryDefaults(retry: boolean | RetryOptions | undefined): Required<RetryOptions> | undefined {
  if (retry === undefined || retry === false) return undefined;
  const given = retry === true ? {} : retry;
  return { retries: given.retries ?? 3, minDelayMs: given.minDelayMs ?? 200, maxDelayMs: given.maxDelayMs ?? 5000 };
}

/** Sends one call to the api and returns its JSON answer, or throws the typed error it amounts to. */
export async function send<T>(t: TransportOptions, call: Call): Promise<T> {
  const attempts = call.retryable && t.retry ? t.retry.retries + 1 : 1;
  for (let n = 1; ; n++) {
    try {
      return await sendOnce<T>(t, call);
    } catch (err) {
      const again = err instanceof KnockerNetworkError || err instanceof KnockerUnavailableError;
      if (!again || n >= attempts || !t.retry) throw err;
      await new Promise((resolve) => setTimeout(resolve, delayMs(t.retry as Required<RetryOptions>, n, err)));
    }
  }
}

function delayMs(retry: Required<RetryOptions>, n: number, err: KnockerError): number {
  if (err instanceof KnockerUnavailableError && err.retryAfter !== undefined) return Math.min(err.retryAfter * 1000, retry.maxDelayMs);
  const ceiling = Math.min(retry.maxDelayMs, retry.minDelayMs * 2 ** (n - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

async function sendOnce<T>(t: TransportOptions, call: Call): Promise<T> {
  const base = t.url.replace(/\/+$/, '');
  let res: Response;
  let text: string;
  try {
    res = await t.fetch(`${base}${call.path}`, {
      method: call.method,
      headers: call.headers ?? [],
      body: call.body ?? null,
      signal: AbortSignal.timeout(t.timeoutMs),
      redirect: 'manual',
      // A stream body needs this in Node's fetch.
      ...(call.body instanceof ReadableStream ? { duplex: 'half' } : {}),
    } as RequestInit);
    text = await res.text();
  } catch (err) {
    const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err);
    throw new KnockerNetworkError(`${call.method} ${base}${call.path}: no answer (${reason})`, { cause: err });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new KnockerResponseError(res.status, text);
  }
  if (res.ok && isRecord(body) && body['status'] === true) return body as T;
  if (isRecord(body) && body['status'] === false && typeof body['code'] === 'string' && isRecord(body['errors'])) {
    throw apiError(res.status, body['code'], fieldErrors(body['errors']), res.headers.get('retry-after'));
  }
  throw new KnockerResponseError(res.status, text);
}

// A list of messages per field; a Knocker from before lists gave one string, read as a list of one.
function fieldErrors(errors: Record<string, unknown>): FieldErrors {
  return Object.fromEntries(Object.entries(errors).map(([field, v]) => [field, Array.isArray(v) ? v.map(String) : [String(v)]]));
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
