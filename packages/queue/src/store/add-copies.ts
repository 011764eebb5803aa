import { setTimeout as sleep } from 'node:timers/promises';
import type { FlowProducer } from 'bullmq';
import { deliveryJobId, QUEUES } from '@knocker/keys';
import { QueueUnavailableError } from '../errors.js';
import { deliveryJobOptions, type DeliveryJob } from '../jobs.js';
import { runScript, SCRIPTS } from '../scripts.js';
import type { Shard } from '../shards/shard-set.js';
import { CLAIM_MS, POLL_MS } from './add.js';

/** What storing a group request's copies found: they are new, or copies with their ids were stored already. */
export type CopiesOutcome = { duplicate: false } | { duplicate: true; stored: string[] };

/**
 * Stores the copies of one group request in one MULTI on their shard (every copy's id hashes
 * as the group request's id): all of them or none. With `checkDuplicate` the group request's
 * id is claimed first, as `addDelivery` claims one, and any copy stored already answers for
 * the whole group. `elsewhere`: the id's shards in older layouts.
 */
export async function addCopies(
  shard: Pick<Shard, 'redis' | 'keys' | 'prefix'>, producer: FlowProducer, groupId: string, jobs: readonly DeliveryJob[],
  check: { duplicate: boolean; waitMs: number; elsewhere: readonly Pick<Shard, 'redis' | 'keys'>[] },
): Promise<CopiesOutcome> {
  const ids = jobs.map((j) => j.config.id);
  const store = async (): Promise<CopiesOutcome> => {
    await producer.addBulk(jobs.map((data) => {
      const opts = deliveryJobOptions(data.config);
      if (data.notBefore !== undefined) opts.delay = Math.max(0, data.notBefore - Date.now());
      return { name: `${data.method} ${data.config.host}`, queueName: QUEUES.delivery, prefix: shard.prefix, data, opts };
    }));
    return { duplicate: false };
  };
  if (!check.duplicate) return store();

  for (const other of check.elsewhere) {
    const found = await Promise.all(ids.map((id) => other.redis.exists(other.keys.job(deliveryJobId(id)))));
    const stored = ids.filter((_, i) => found[i] === 1);
    if (stored.length > 0) return { duplicate: true, stored };
  }
  const claim = shard.keys.claim(deliveryJobId(groupId));
  const keys = [claim, ...ids.map((id) => shard.keys.job(deliveryJobId(id)))];
  const giveUp = Date.now() + check.waitMs;
  for (;;) {
    const found = await runScript(shard.redis, SCRIPTS.claimCopies, keys, [CLAIM_MS]);
    if (Array.isArray(found)) return { duplicate: true, stored: found.map((i) => ids[Number(i) - 1]!) };
    if (found === 1) {
      try {
        return await store();
      } finally {
        shard.redis.del(claim).catch(() => undefined);
      }
    }
    if (Date.now() > giveUp) throw new QueueUnavailableError(`another request with this id was still being stored after ${check.waitMs} ms`);
    await sleep(POLL_MS);
  }
}
