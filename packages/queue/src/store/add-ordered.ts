import { ORDER_LINE_MAX } from '@knocker/contract';
import { OrderLineFullError } from '../errors.js';
import type { DeliveryJob } from '../jobs.js';
import { requireReplicas } from '../replicas.js';
import type { ShardSet } from '../shards/shard-set.js';
import { addDelivery, deliveryOf, NEW, type AddOutcome } from './add.js';
import { enterLine, lineLength } from './order.js';

interface OrderedAddOptions {
  timeoutMs: number;
  waitReplicas?: number | undefined;
  checkDuplicate: boolean;
}

/**
 * Stores a request with Knocker-Order-Key on its key's shard, whatever its id, and puts it at
 * the back of the key's line before the api answers: the order of the answers is the order of
 * delivery. Two more round trips than a plain request (the line's length, the line), taken
 * only by ordered requests. Should the api die between the add and the line, the worker that
 * takes the job puts it in the line itself.
 */
export async function addOrdered(
  shards: Pick<ShardSet, 'forOrderKey' | 'candidatesFor'>, job: DeliveryJob, orderKey: string, opts: OrderedAddOptions,
  bound: <T>(work: Promise<T>) => Promise<T>,
): Promise<AddOutcome> {
  const shard = shards.forOrderKey(orderKey);
  // Read before the add, so a full line stores nothing; concurrent adds may pass it by a few.
  if ((await bound(lineLength(shard, orderKey))) >= ORDER_LINE_MAX) throw new OrderLineFullError(orderKey);
  const { name, jobOptions } = deliveryOf(job);
  // A chosen id is also looked for on its own shard: a request without the key may hold it.
  const outcome = await bound(opts.checkDuplicate
    ? addDelivery(shard, name, job, jobOptions, opts.timeoutMs, shards.candidatesFor(job.config.id).filter((s) => s !== shard))
    : shard.delivery.add(name, job, jobOptions).then((): AddOutcome => NEW));
  if (outcome.duplicate) return outcome;
  await bound(enterLine(shard, jobOptions.jobId, orderKey));
  const replicas = opts.waitReplicas ?? 0;
  if (replicas > 0) await bound(requireReplicas(shard, replicas, opts.timeoutMs));
  return outcome;
}
