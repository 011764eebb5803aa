import type { HeaderPair } from '@knocker/protocol';
import type { DeliveryJob } from '@knocker/queue';
import { signMessage } from './signature.js';

/**
 * The headers a QStash receiver expects on an attempt (`retried` from 0), signed for the URL
 * called. Knocker's own correlation headers stay beside them. Synchronous: an attempt of the
 * door's costs no await more than a native one.
 */
export function deliveryHeaders(job: DeliveryJob, retried: number, signingKey: string | undefined, body: Buffer): HeaderPair[] {
  const extra: HeaderPair[] = [
    ['user-agent', 'Upstash-QStash'],
    ['upstash-message-id', job.config.id],
    ['upstash-retried', String(retried)],
  ];
  if (signingKey !== undefined) extra.push(['upstash-signature', signMessage(signingKey, job.url, body)]);
  if (job.schedule !== undefined) extra.push(['upstash-schedule-id', job.schedule]);
  if (job.group !== undefined) extra.push(['upstash-topic-name', job.group]);
  return extra;
}
