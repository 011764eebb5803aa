import { createHash, createHmac, randomUUID } from 'node:crypto';

/** QStash's tokens live five minutes; a receiver checks `exp` and `nbf` only. */
const LIFETIME_SECONDS = 300;
// HS256 is one HMAC over two base64url parts: node:crypto does it synchronously in a few µs,
// where WebCrypto (jose) hops to the thread pool and back for every signature.
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/**
 * `Upstash-Signature`: an HS256 JWT over the body, keyed with the UTF-8 bytes of the signing
 * key as QStash users hold it (`sig_…`), with the claims the SDK's Receiver checks: `iss`
 * Upstash, `sub` the URL called, `body` the base64url SHA-256 of the body.
 */
export function signMessage(key: string, url: string, body: Buffer, nowMs = Date.now()): string {
  const iat = Math.floor(nowMs / 1000);
  const claims = {
    body: createHash('sha256').update(body).digest('base64url'),
    iss: 'Upstash', sub: url, iat, nbf: iat, exp: iat + LIFETIME_SECONDS, jti: `jwt_${randomUUID().replaceAll('-', '')}`,
  };
  const signed = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${signed}.${createHmac('sha256', key).update(signed).digest('base64url')}`;
}
