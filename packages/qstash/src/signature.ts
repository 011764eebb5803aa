import { createHash, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';

/** QStash's tokens live five minutes; a receiver checks `exp` and `nbf` only. */
const LIFETIME_SECONDS = 300;

/**
 * `Upstash-Signature`: an HS256 JWT over the body, keyed with the UTF-8 bytes of the signing
 * key as QStash users hold it (`sig_…`), with the claims the SDK's Receiver checks: `iss`
 * Upstash, `sub` the URL called, `body` the base64url SHA-256 of the body.
 */
export async function signMessage(key: string, url: string, body: Buffer, nowMs = Date.now()): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({ body: createHash('sha256').update(body).digest('base64url') })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer('Upstash')
    .setSubject(url)
    .setIssuedAt(iat)
    .setNotBefore(iat)
    .setExpirationTime(iat + LIFETIME_SECONDS)
    .setJti(`jwt_${randomUUID().replaceAll('-', '')}`)
    .sign(new TextEncoder().encode(key));
}
