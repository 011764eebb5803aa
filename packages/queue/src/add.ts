import { Job, type JobsOptions, type Queue } from 'bullmq';
import type { DeliveryJob } from './queues.js';

/** What adding a request found: it is new, or a job with its id was already stored. */
export type AddOutcome = { duplicate: false } | { duplicate: true; existing: DeliveryJob };

/**
 * Stores a delivery unless its job id is already taken. BullMQ's own add answers a taken id
 * with that id, exactly as for a new job, so the check runs in the same MULTI as the add:
 * EXISTS before, the add, and the stored data after, executed as one step. However many
 * clients race with one id, exactly one of them finds the id free.
 */
export async function addDelivery(queue: Queue<DeliveryJob>, name: string, data: DeliveryJob, opts: JobsOptions & { jobId: string }): Promise<AddOutcome> {
  const client = await queue.getBackend().client;
  const key = queue.toKey(opts.jobId);
  const tx = client.multi();
  tx.runCommand('exists', [key]);
  // Job#addJob queues its script on the transaction synchronously; its promise settles once queued.
  const queued = new Job<DeliveryJob>(queue, name, data, opts, opts.jobId).addJob(tx);
  tx.runCommand('hget', [key, 'data']);
  const replies = await tx.exec();
  await queued;
  if (replies === null) throw new Error(`the transaction adding job ${opts.jobId} was aborted`);
  for (const [err] of replies) if (err) throw err;
  if (replies[0]?.[1] === 0) return { duplicate: false };
  return { duplicate: true, existing: JSON.parse(String(replies[2]?.[1])) as DeliveryJob };
}
