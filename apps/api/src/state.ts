import { deliveryJobId, requestState, shardHolding, type Queues, type RequestState } from '@knocker/queue';

/**
 * The state of a stored request, or undefined when there is none: two small reads, never the
 * job's data (a body may weigh a megabyte).
 */
export async function storedState(queues: Pick<Queues, 'candidatesFor'>, id: string): Promise<RequestState | undefined> {
  const shard = await shardHolding(queues, id);
  const jobId = deliveryJobId(id);
  const [state, failedReason] = await Promise.all([shard.delivery.getJobState(jobId), shard.redis.hget(shard.delivery.toKey(jobId), 'failedReason')]);
  return requestState(state, failedReason);
}
