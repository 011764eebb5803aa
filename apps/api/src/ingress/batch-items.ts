import { METHODS } from 'node:http';
import { ApiError, HEADERS_MAX_BYTES } from '@knocker/contract';
import { InvalidRequestError, parseKnockRequest, type KnockRequest, type ProtocolLimits } from '@knocker/protocol';

/** A request of a batch once checked: exactly what a single request with its headers would be. */
export interface BatchItem {
  knock: KnockRequest;
  body: Buffer;
  /** It carries Knocker-Id: its id is checked for a duplicate, as a single request's is. */
  chosenId: boolean;
}

export interface BatchLimits {
  protocol: ProtocolLimits;
  maxItems: number;
  /** MAX_BODY_SIZE, for each request's body. */
  maxBodySize: number;
}

const FIELDS = ['method', 'url', 'headers', 'body', 'body_base64'];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// What Node's HTTP parser lets through in a header value: no CR, LF or NUL.
const VALUE = /^[^\r\n\0]*$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const URL_MAX = 8192;

/**
 * The requests of a batch, every one checked before any is stored: the first wrong item
 * refuses the batch, each of its problems named `items[<index>].<field>`.
 */
export function readBatch(text: string, limits: BatchLimits): BatchItem[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new InvalidRequestError({ body: 'must be a JSON array of requests' });
  }
  if (!Array.isArray(raw)) throw new InvalidRequestError({ body: 'must be a JSON array of requests' });
  if (raw.length === 0 || raw.length > limits.maxItems) throw new InvalidRequestError({ body: `must hold 1 to ${limits.maxItems} requests (BATCH_MAX), got ${raw.length}` });
  const ids = new Map<string, number>();
  return raw.map((entry, index) => {
    const item = readItem(entry, index, limits);
    const { id } = item.knock.config;
    const first = ids.get(id);
    if (item.chosenId && first !== undefined) throw new InvalidRequestError({ [`items[${index}].headers.knocker-id`]: `repeats the id of item ${first}` });
    ids.set(id, index);
    return item;
  });
}

function readItem(entry: unknown, index: number, limits: BatchLimits): BatchItem {
  const at = `items[${index}]`;
  const refuse = (field: string, problem: string): never => {
    throw new InvalidRequestError({ [field === '' ? at : `${at}.${field}`]: problem });
  };
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return refuse('', 'must be an object: {method, url, headers, body}');
  const o = entry as Record<string, unknown>;
  for (const name of Object.keys(o)) if (!FIELDS.includes(name)) refuse(name, `is not a field; use ${FIELDS.join(', ')}`);
  const method = o['method'] ?? 'POST';
  if (typeof method !== 'string' || !METHODS.includes(method)) return refuse('method', 'must be an HTTP method in capitals, such as POST');
  const url = o['url'];
  if (typeof url !== 'string' || url.length === 0 || url.length > URL_MAX) return refuse('url', `must be a path such as /hook?x=1, or an absolute http(s) URL, of at most ${URL_MAX} characters`);
  const rawHeaders = headersOf(o['headers'], refuse);
  const absolute = url.startsWith('/') ? null : URL.parse(url);
  if (!url.startsWith('/') && (absolute === null || !/^https?:$/.test(absolute.protocol) || absolute.host === '')) return refuse('url', 'must be a path such as /hook?x=1, or an absolute http(s) URL');
  // An absolute URL names the target, as Knocker-Host and Knocker-Scheme would, unless they are given.
  const given = new Set(rawHeaders.filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase()));
  if (absolute && !given.has('knocker-host')) {
    rawHeaders.push('Knocker-Host', absolute.host);
    if (!given.has('knocker-scheme')) rawHeaders.push('Knocker-Scheme', absolute.protocol.slice(0, -1));
  }
  if (given.has('knocker-cron')) refuse('headers.knocker-cron', 'is not taken in a batch: send a schedule on its own');
  if (given.has('knocker-group')) refuse('headers.knocker-group', 'is not taken in a batch: send a group request on its own');
  const body = bodyOf(o, limits.maxBodySize, refuse);
  let knock: KnockRequest;
  try {
    knock = parseKnockRequest({ method, target: url, rawHeaders }, limits.protocol);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    const named = Object.entries(err.errors).map(([field, problem]) => [field === 'path' ? `${at}.url` : `${at}.headers.${field}`, problem]);
    throw new InvalidRequestError(Object.fromEntries(named));
  }
  return { knock, body, chosenId: given.has('knocker-id') };
}

type Refuse = (field: string, problem: string) => never;

/** The headers object as Node's rawHeaders, within the bytes a single request's head may hold. */
function headersOf(value: unknown, refuse: Refuse): string[] {
  if (value === undefined) return [];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return refuse('headers', 'must be an object of header names to a text or a list of texts');
  const raw: string[] = [];
  let bytes = 0;
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    if (!TOKEN.test(name)) refuse('headers', `has a name that is not an HTTP token: ${JSON.stringify(name.slice(0, 64))}`);
    for (const one of Array.isArray(v) ? v : [v]) {
      if (typeof one !== 'string' || !VALUE.test(one)) refuse(`headers.${name}`, 'must be a text without CR, LF or NUL, or a list of such texts');
      bytes += name.length + (one as string).length + 4;
      if (bytes > HEADERS_MAX_BYTES) refuse('headers', `must be at most ${HEADERS_MAX_BYTES} bytes, as a single request's head`);
      raw.push(name, one as string);
    }
  }
  return raw;
}

function bodyOf(o: Record<string, unknown>, max: number, refuse: Refuse): Buffer {
  const text = o['body'];
  const b64 = o['body_base64'];
  if (text !== undefined && b64 !== undefined) refuse('body', 'give body or body_base64, not both');
  if (text !== undefined && typeof text !== 'string') refuse('body', 'must be a text; binary goes in body_base64');
  if (b64 !== undefined && (typeof b64 !== 'string' || !BASE64.test(b64))) refuse('body_base64', 'must be base64 text');
  const body = typeof b64 === 'string' ? Buffer.from(b64, 'base64') : Buffer.from(typeof text === 'string' ? text : '', 'utf8');
  if (body.length > max) refuse(b64 !== undefined ? 'body_base64' : 'body', `must be at most ${max} bytes (MAX_BODY_SIZE)`);
  return body;
}
