import { createHmac } from 'node:crypto';
import type { HeaderPair } from '@knocker/protocol';

/** Signs messages the Standard Webhooks way, with every key of SIGNING_SECRETS. */
export interface Signer {
  /**
   * `headers` without any webhook-* header of the sender's own (it would sit beside Knocker's
   * and mislead the receiver), plus webhook-id, webhook-timestamp (now) and webhook-signature:
   * one `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` per key, space-separated.
   */
  sign(id: string, headers: readonly HeaderPair[], body: Buffer, nowMs?: number): HeaderPair[];
}

const WEBHOOK_HEADERS = new Set(['webhook-id', 'webhook-timestamp', 'webhook-signature']);

/** Undefined without keys, so callers pay one branch when nothing is signed. */
export function createSigner(keys: readonly Buffer[]): Signer | undefined {
  if (keys.length === 0) return undefined;
  return {
    sign(id, headers, body, nowMs = Date.now()) {
      const timestamp = String(Math.floor(nowMs / 1000));
      const signatures = keys.map((key) => `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64')}`);
      return [
        ...headers.filter(([name]) => !WEBHOOK_HEADERS.has(name)),
        ['webhook-id', id], ['webhook-timestamp', timestamp], ['webhook-signature', signatures.join(' ')],
      ];
    },
  };
}
