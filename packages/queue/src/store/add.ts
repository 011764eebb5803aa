import { setTimeout as sleep } from 'node:timers/promises';
import type { JobsOptions } from 'bullmq';
import { QueueUnavailableError } from '../errors.js';
import type { DeliveryJob } from '../jobs.js';
import { runScript, SCRIPTS } from '../scripts.js';
import type { Shard } from '../shards/shard-set.js';

/** What adding a request found: it is new, or a job with its id was already stored. */
export type AddOutcome = { duplicate: false } | { duplicate: true; existing: DeliveryJob };

// How long a claim keeps others from adding the same id. It is deleted once the add is done
// (queued after the add on the same connection, so never before it); the expiry only frees
// the id when the process that claimed it died before adding it.
export const CLAIM_MS = 10_000;
export const POLL_MS = 5;

/**
 * Stores a delivery unless its job id is already taken. BullMQ's own add answers a taken id
 * with that id, exactly as for a new job, so ids are claimed first, in one script that also
 * finds a stored request: of any number of clients racing with one id exactly one may add
 * it, and the others wait the moment it takes, then answer with what it stored. A waiter
 * gives up after `waitMs` (a claimer that died frees the id after 10 s). `elsewhere`: the
 * id's shards in older layouts, which may hold it too.
 */
export async function addDelivery(
  shard: Pick<Shard, 'redis' | 'delivery' | 'keys'>, name: string, data: DeliveryJob, opts: JobsOptions & { jobId: string }, waitMs = CLAIM_MS,
  elsewhere: readonly Pick<Shard, 'redis' | 'keys'>[] = [],
): Promise<AddOutcome> {
  const { redis, keys } = shard;
  const key = keys.job(opts.jobId);
  const claim = keys.claim(opts.jobId);
  const giveUp = Date.now() + waitMs;
  // Stored under an older shard layout: checked first, without a claim, since no new
  // request goes there any more.
  for (const other of elsewhere) {
    const stored = await other.redis.hget(other.keys.job(opts.jobId), 'data');
    if (stored !== null) return { duplicate: true, existing: JSON.parse(stored) as DeliveryJob };
  }
  for (;;) {
    const found = await runScript(redis, SCRIPTS.claimId, [key, claim], [CLAIM_MS]);
    if (typeof found === 'string') return { duplicate: true, existing: JSON.parse(found) as DeliveryJob };
    if (found === 1) {
      try {
        await shard.delivery.add(name, data, opts);
      } finally {
        redis.del(claim).catch(() => undefined);
      }
      return { duplicate: false };
    }
    if (Date.now() > giveUp) throw new QueueUnavailableError(`another request with this id was still being stored after ${waitMs} ms`);
    await sleep(POLL_MS);
  }
}
