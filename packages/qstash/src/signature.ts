import { createHash, randomUUID, webcrypto } from 'node:crypto';
import { SignJWT } from 'jose';

/** QStash's tokens live five minutes; a receiver checks `exp` and `nbf` only. */
const LIFETIME_SECONDS = 300;
// Importing a raw key into WebCrypto costs as much as the signature itself: once per key, not per message.
const imported = new Map<string, Promise<webcrypto.CryptoKey>>();
const cryptoKeyOf = (key: string): Promise<webcrypto.CryptoKey> => {
  let found = imported.get(key);
  if (found === undefined) {
    found = webcrypto.subtle.importKey('raw', new TextEncoder().encode(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    // Two keys live at a time; a rotation with a restart-free reload would add a third.
    if (imported.size >= 4) imported.clear();
    imported.set(key, found);
  }
  return found;
};

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
    .sign(await cryptoKeyOf(key));
}
