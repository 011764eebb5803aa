import type { HeaderPair } from '@knocker/protocol';
import { deliveryHeaders as signedHeaders, qstashCallback, signMessage } from '@knocker/qstash';
import type { DeliveryJob, QstashCallbackJob } from '@knocker/queue';
import type { Attempt } from './http/attempt.js';

/**
 * What delivery adds for a message of the QStash door: its headers and JWT (none without
 * QSTASH_CURRENT_SIGNING_KEY, which the door requires but a worker may lack).
 */
export function deliveryHeaders(job: DeliveryJob, retried: number, key: string, body: Buffer): HeaderPair[] {
  return signedHeaders(job, retried, key === '' ? undefined : key, body);
}

/** A QStash callback is signed like a delivery, for the callback's URL. */
export function callbackSignature(url: string, key: string, body: Buffer): HeaderPair[] {
  return key === '' ? [] : [['upstash-signature', signMessage(key, url, body)], ['user-agent', 'Upstash-QStash']];
}

/** QStash's callback (after `attempts` attempts) or failure callback of a message. */
export function qstashCallbackOf(job: DeliveryJob, attempt: Attempt, attempts: number, failed: boolean): QstashCallbackJob {
  const answer = attempt.answer;
  return qstashCallback(job, { status: attempt.statusCode, headers: answer?.headers ?? [], body: answer?.body ?? Buffer.alloc(0), retried: attempts - 1 }, failed);
}
