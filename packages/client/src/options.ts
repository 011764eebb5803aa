/** The protocol's per-request options: one `Knocker-*` header each. The CLI makes a flag of each. */
export const KNOCK_OPTIONS = [
  { key: 'retries', header: 'Knocker-Retries', flag: 'retries', kind: 'integer', help: 'retries after the first attempt (N means N + 1 attempts)' },
  { key: 'timeout', header: 'Knocker-Timeout', flag: 'timeout', kind: 'number', help: 'seconds for one attempt' },
  { key: 'backoffFactor', header: 'Knocker-Backoff-Factor', flag: 'backoff-factor', kind: 'number', help: 'seconds; the wait after attempt n is factor × 2^(n−1) + up to 1 s' },
  { key: 'callback', header: 'Knocker-Callback', flag: 'callback', kind: 'string', help: 'URL POSTed to when every attempt failed' },
  { key: 'successCallback', header: 'Knocker-Success-Callback', flag: 'success-callback', kind: 'string', help: "URL POSTed the target's answer once the request is delivered" },
  { key: 'id', header: 'Knocker-Id', flag: 'id', kind: 'string', help: 'your id for the request; a request whose id is still known is not stored again' },
  { key: 'delay', header: 'Knocker-Delay', flag: 'delay', kind: 'duration', help: 'wait before the first attempt: seconds or a duration (30s, 5m, 1h30m)' },
  { key: 'notBefore', header: 'Knocker-Not-Before', flag: 'not-before', kind: 'time', help: 'the first attempt not before this time (unix seconds, or an ISO time on the command line)' },
  { key: 'cron', header: 'Knocker-Cron', flag: 'cron', kind: 'string', help: 'a cron expression (5 or 6 fields, optionally after CRON_TZ=<zone>)' },
  { key: 'flowKey', header: 'Knocker-Flow-Key', flag: 'flow-key', kind: 'string', help: "the flow-control key to count under instead of the target's host:port" },
  { key: 'retryOn', header: 'Knocker-Retry-On', flag: 'retry-on', kind: 'list', help: 'the failures worth retrying: statuses, classes, network (5xx,429,network)' },
  { key: 'catch', header: 'Knocker-Catch', flag: 'catch', kind: 'list', help: 'error codes reported by the target that end the request at once (glob patterns)' },
] as const;

export type KnockOptionKey = (typeof KNOCK_OPTIONS)[number]['key'];

/** A body: text and bytes are sent as they are; any other value as JSON. */
export type KnockBody = string | Uint8Array | ArrayBuffer | Blob | URLSearchParams | ReadableStream | Record<string, unknown> | unknown[] | number | boolean | null;

export type HeadersInput = Headers | Record<string, string> | Array<[string, string]>;

export interface KnockOptions {
  /** Where Knocker delivers: `https://target.example/hook?x=1`. Its scheme, host and port become Knocker-Scheme and Knocker-Host. */
  url: string;
  /** Default `POST`. */
  method?: string;
  /** Sent on to the target (but Knocker-* headers, which are Knocker's). */
  headers?: HeadersInput;
  body?: KnockBody;
  /** Knocker-Retries. */
  retries?: number;
  /** Knocker-Timeout, seconds per attempt. */
  timeout?: number;
  /** Knocker-Backoff-Factor, seconds. */
  backoffFactor?: number;
  /** Knocker-Callback. */
  callback?: string;
  /** Knocker-Success-Callback. */
  successCallback?: string;
  /** Knocker-Id. With the client's retry on and no id given, one is generated so a retry cannot store the request twice. */
  id?: string;
  /** Knocker-Delay: seconds, or a duration such as `5m` or `1h30m`. */
  delay?: number | string;
  /** Knocker-Not-Before: a Date, or unix seconds. */
  notBefore?: Date | number;
  /** Knocker-Cron. */
  cron?: string;
  /** Knocker-Flow-Key: count under this flow-control key instead of the target's host:port. */
  flowKey?: string;
  /** Knocker-Retry-On: the failures worth retrying, such as `['5xx', 429, 'network']`. */
  retryOn?: string | ReadonlyArray<string | number>;
  /** Knocker-Catch: patterns, one string or a list. */
  catch?: string | readonly string[];
  /** Other `Knocker-<name>` headers, kept in the request's config and sent to the callback: `{ trace: 'abc' }`. */
  config?: Record<string, string>;
}

/** The Knocker-* headers of a request (the target's own headers excluded). */
export function knockerHeaders(options: KnockOptions): Array<[string, string]> {
  const target = new URL(options.url);
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new TypeError(`url must be http:// or https://, got ${options.url}`);
  if (target.username || target.password) throw new TypeError('url must not carry user info: send credentials in headers');
  return [['Knocker-Host', target.host], ['Knocker-Scheme', target.protocol.slice(0, -1)], ...controlHeaders(options)];
}

/** The Knocker-* headers of a request but its target's: what a knock to a group carries. */
export function controlHeaders(options: Omit<KnockOptions, 'url'>): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const { key, header } of KNOCK_OPTIONS) {
    const value = options[key];
    if (value === undefined) continue;
    out.push([header, value instanceof Date ? String(value.getTime() / 1000) : typeof value === 'object' ? value.join(', ') : String(value)]);
  }
  for (const [name, value] of Object.entries(options.config ?? {})) out.push([`Knocker-${name}`, value]);
  return out;
}
