import { createHmac, timingSafeEqual } from 'node:crypto';
import { KnockerError } from './errors.js';

/** What a receiver needs to drop repeats: delivery is at least once. */
export interface Delivery {
  /** x-knocker-id: the request's id, the same on every attempt. */
  id: string;
  /** x-knocker-attempt: 1 for the first attempt, 2 for the first retry…; a replay starts again at 1. */
  attempt: number;
  /** webhook-timestamp (unix seconds) when the delivery is signed. */
  timestamp: number | undefined;
}

export interface VerifyOptions {
  /** `whsec_<base64>` secrets (several during a rotation). Without any, the signature is not checked. */
  secrets?: string | readonly string[];
  /** How far webhook-timestamp may be from now. Default 300 s, as Standard Webhooks advises. */
  toleranceSeconds?: number;
  /** Unix seconds; for tests. */
  now?: number;
}

export type SignatureProblem = 'not_a_delivery' | 'missing_signature' | 'timestamp_out_of_range' | 'invalid_signature';

/** The delivery is not one Knocker signed with one of the secrets, or not a Knocker delivery at all. */
export class KnockerSignatureError extends KnockerError {
  constructor(readonly code: SignatureProblem, message: string) {
    super(message);
  }
}

type HeaderBag = Headers | Record<string, string | string[] | undefined>;
/** A fetch `Request`, or the headers and the raw body bytes of one (node:http, express with `express.raw()`). */
export type DeliveryRequest = Request | { headers: HeaderBag; body?: string | Uint8Array };

/**
 * Checks a delivery's Standard Webhooks signature when secrets are given (HMAC-SHA256 of
 * `webhook-id.webhook-timestamp.body`, any `v1,` entry of webhook-signature matching any secret),
 * and returns its id and attempt. The body must be the raw bytes, not re-serialized JSON.
 */
export async function verifyDelivery(request: DeliveryRequest, options: VerifyOptions = {}): Promise<Delivery> {
  const isRequest = typeof Request !== 'undefined' && request instanceof Request;
  const get = (name: string): string | undefined => header(request.headers, name);
  const secrets = typeof options.secrets === 'string' ? [options.secrets] : [...(options.secrets ?? [])];
  let timestamp: number | undefined;
  if (secrets.length > 0) {
    const body = isRequest ? new Uint8Array(await (request as Request).clone().arrayBuffer()) : (request as { body?: string | Uint8Array }).body;
    timestamp = checkSignature(get, body, secrets, options);
  } else {
    const ts = get('webhook-timestamp');
    timestamp = ts !== undefined && /^\d+$/.test(ts) ? Number(ts) : undefined;
  }
  const id = get('x-knocker-id');
  const attempt = get('x-knocker-attempt');
  if (!id || attempt === undefined || !/^[1-9]\d*$/.test(attempt)) {
    throw new KnockerSignatureError('not_a_delivery', 'x-knocker-id and x-knocker-attempt are missing or wrong: not a Knocker delivery');
  }
  return { id, attempt: Number(attempt), timestamp };
}

function checkSignature(get: (name: string) => string | undefined, body: string | Uint8Array | undefined, secrets: string[], options: VerifyOptions): number {
  const [msgId, ts, signature] = [get('webhook-id'), get('webhook-timestamp'), get('webhook-signature')];
  if (!msgId || !ts || !signature) throw new KnockerSignatureError('missing_signature', 'webhook-id, webhook-timestamp and webhook-signature are required');
  if (body === undefined) throw new TypeError('verifyDelivery: the raw body is needed to check the signature');
  const timestamp = /^\d+$/.test(ts) ? Number(ts) : Number.NaN;
  const now = options.now ?? Math.floor(Date.now() / 1000);
  if (!(Math.abs(now - timestamp) <= (options.toleranceSeconds ?? 300))) {
    throw new KnockerSignatureError('timestamp_out_of_range', `webhook-timestamp ${ts} is too far from now (${now})`);
  }
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const signed = Buffer.concat([Buffer.from(`${msgId}.${ts}.`, 'utf8'), bytes]);
  const given = signature.split(' ').filter((s) => s.startsWith('v1,')).map((s) => Buffer.from(s.slice(3), 'base64'));
  for (const secret of secrets) {
    const expected = createHmac('sha256', secretKey(secret)).update(signed).digest();
    if (given.some((g) => g.length === expected.length && timingSafeEqual(g, expected))) return timestamp;
  }
  throw new KnockerSignatureError('invalid_signature', 'no v1 signature matches any of the secrets');
}

/** `whsec_` then base64, as Standard Webhooks writes secrets. */
function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

function header(headers: HeaderBag, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value.join(' ') : value;
}
