import type { KnockRequest } from '@knocker/protocol';
import { QueueUnavailableError, type DeliveryJob, type RequestStore } from '@knocker/queue';

// What a relayed request and each request of a batch share once their headers are parsed:
// the job stored, and the answer that says so.

/** The job a parsed request is stored as. */
export function jobOf(knock: KnockRequest, body: Buffer): DeliveryJob {
  return { ...knock, body: body.toString('base64'), acceptedAt: Date.now() };
}

/** The answer to a stored request. Only a delayed or ordered request says so: a plain one is answered exactly as before. */
export function acceptedAnswer(knock: KnockRequest, bodyLength: number): Record<string, unknown> {
  const answer = { status: true, config: knock.config, url: knock.url, method: knock.method, headers: knock.headers, 'body-length': bodyLength };
  if (knock.notBefore === undefined && knock.orderKey === undefined) return answer;
  return {
    ...answer,
    ...(knock.notBefore === undefined ? {} : { not_before: new Date(knock.notBefore).toISOString() }),
    ...(knock.orderKey === undefined ? {} : { order_key: knock.orderKey }),
  };
}

/**
 * The answer to a request whose id is known: that it is known, and how far it got, never what
 * the first caller sent (its headers may carry credentials), which the id alone does not entitle to.
 */
export async function duplicateAnswer(store: Pick<RequestStore, 'stateOf'>, id: string): Promise<{ status: true; duplicate: true; id: string; state: string }> {
  const state = await store.stateOf(id);
  if (state === undefined) throw new QueueUnavailableError(`request #${id} was removed (RETAIN_*) while it was being read`);
  return { status: true, duplicate: true, id, state };
}
