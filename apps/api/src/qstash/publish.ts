import type { ProtocolLimits } from '@knocker/protocol';
import { QstashRequestError, readBatch, readPublish, topicCopies, type Publish, type PublishInput } from '@knocker/qstash';
import { QueueUnavailableError, type DeliveryJob } from '@knocker/queue';
import { DoorError, type DoorDeps } from './door.js';
import { ensureQueue } from './queues.js';
import { applyFlowValue } from './flow-control.js';

/** A publish's answer: QStash's shape, 202 for a duplicate. */
export interface Published {
  status: 200 | 202;
  body: unknown;
}

/** Stores one publish read already: one request, or one copy per endpoint of its URL group. */
export async function storePublish(deps: DoorDeps, { job, deduplicate, topic, queue }: Publish): Promise<Published> {
  if (!deps.queueReady()) throw new QueueUnavailableError('Redis is not connected');
  await applyFlowValue(deps, job);
  if (topic !== undefined) {
    const group = await deps.store.groups.get(topic);
    if (!group) throw new DoorError(404, `URL group ${topic} not found`);
    const copies = topicCopies(job, group, { hostsOnly: deps.config.protocol.hostsOnly, refuseAddress: deps.refuseAddress });
    if (queue !== undefined) return storeQueuedCopies(deps, queue, copies, deduplicate);
    const added = await deps.store.addCopies(job.config.id, copies, { checkDuplicate: deduplicate });
    if (added.duplicate) return { status: 202, body: added.stored.map((messageId) => ({ messageId, deduplicated: true })) };
    for (const _ of copies) deps.metrics.accepted.inc();
    return { status: 200, body: copies.map((c) => ({ messageId: c.config.id, url: c.url })) };
  }
  if (queue !== undefined) await ensureQueue(deps, queue);
  const added = await deps.store.add(job, { checkDuplicate: deduplicate });
  if (added.duplicate) return { status: 202, body: { messageId: job.config.id, url: added.existing.url, deduplicated: true } };
  deps.metrics.accepted.inc();
  return { status: 200, body: { messageId: job.config.id, url: job.url } };
}

/** A URL group's copies enqueued: each joins the queue's line on its own, as ordered requests are stored. */
async function storeQueuedCopies(deps: DoorDeps, queue: string, copies: readonly DeliveryJob[], deduplicate: boolean): Promise<Published> {
  await ensureQueue(deps, queue);
  const added = await deps.store.addMany(copies.map((job) => ({ job, checkDuplicate: deduplicate })));
  const stored = copies.filter((_, i) => added[i]!.duplicate).map((c) => c.config.id);
  if (stored.length > 0) return { status: 202, body: stored.map((messageId) => ({ messageId, deduplicated: true })) };
  for (const _ of copies) deps.metrics.accepted.inc();
  return { status: 200, body: copies.map((c) => ({ messageId: c.config.id, url: c.url })) };
}

/**
 * `POST /v2/batch`: every item is read before any is stored, so a bad one refuses the batch,
 * named by its index; then each is stored as its own publish, answered in the items' order.
 */
export async function storeBatch(deps: DoorDeps, body: Buffer, limits: ProtocolLimits): Promise<unknown[]> {
  const items = readBatch(body);
  const errors: Record<string, string> = {};
  const read = items.map((item: PublishInput, i) => {
    try {
      return readPublish(item, limits);
    } catch (err) {
      if (!(err instanceof QstashRequestError)) throw err;
      for (const [field, problem] of Object.entries(err.errors)) errors[`[${i}].${field}`] = problem;
      return undefined;
    }
  });
  if (Object.keys(errors).length > 0) throw new QstashRequestError(errors);
  const answers: unknown[] = [];
  for (const publish of read) answers.push((await storePublish(deps, publish!)).body);
  return answers;
}
