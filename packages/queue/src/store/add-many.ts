import type { JobsOptions } from 'bullmq';
import type { DeliveryJob } from '../jobs.js';
import { runScript, SCRIPTS } from '../scripts.js';
import type { Shard } from '../shards/shard-set.js';
import { addDelivery, CLAIM_MS, type AddOutcome } from './add.js';

/** One request of a batch, as the store adds it to its shard. */
export interface ShardItem {
  name: string;
  job: DeliveryJob;
  opts: JobsOptions & { jobId: string };
  /** The caller chose the id: a request stored under it already is answered instead. */
  checkDuplicate: boolean;
}

/**
 * Stores the requests of one shard in as few round trips as it takes: the claims of chosen ids
 * in one write (see addDelivery), then every new job in one pipeline, then the claims are let
 * go. An id another caller is adding right now waits for it, as a single add does.
 */
export async function addToShard(shard: Pick<Shard, 'redis' | 'delivery' | 'keys'>, items: readonly ShardItem[], waitMs: number): Promise<AddOutcome[]> {
  const { redis, keys } = shard;
  const claims = await Promise.all(items.map((item) => (item.checkDuplicate
    ? runScript(redis, SCRIPTS.claimId, [keys.job(item.opts.jobId), keys.claim(item.opts.jobId)], [CLAIM_MS])
    : Promise.resolve(1))));
  const outcomes: Array<AddOutcome | undefined> = claims.map((found) => (typeof found === 'string' ? { duplicate: true, existing: JSON.parse(found) as DeliveryJob } : undefined));
  const fresh = items.filter((_, i) => claims[i] === 1);
  try {
    if (fresh.length > 0) await shard.delivery.addBulk(fresh.map(({ name, job, opts }) => ({ name, data: job, opts })));
  } finally {
    const held = fresh.filter((item) => item.checkDuplicate).map((item) => keys.claim(item.opts.jobId));
    if (held.length > 0) redis.del(...held).catch(() => undefined);
  }
  return Promise.all(items.map(async (item, i) => {
    if (claims[i] === 1) return NEW;
    return outcomes[i] ?? addDelivery(shard, item.name, item.job, item.opts, waitMs);
  }));
}

const NEW: AddOutcome = { duplicate: false };
