/**
 * The BullMQ queues of a shard, and the queue of schedules' ticks. Renaming one strands every
 * job stored under the old name: add a migration, not a rename.
 */
export const QUEUES = { delivery: 'deliveries', callback: 'callbacks', schedule: 'schedules' } as const;

// A prefix keeps job ids apart from BullMQ's rules (no integers, no ':'), whatever ids callers choose.
export const deliveryJobId = (id: string): string => `req-${id}`;
// Each run of a request (a replay is a new run) has its own callback; '#' cannot occur in request ids.
export const callbackJobId = (id: string, replays = 0): string => (replays === 0 ? `cb-${id}` : `cb-${id}#${replays}`);
// A request is delivered at most once (only a failed request can be replayed), so one id suffices.
export const successCallbackJobId = (id: string): string => `ok-${id}`;

/**
 * Ids of the copies of a group request (Knocker-Group): `<id>~~<endpoint name>`. Callers may
 * not choose an id holding `~~` (the protocol's reserved forms), and a shard is picked from
 * the part before it (`shardIdOf`), so every copy of one request lands on one shard.
 */
export const GROUP_COPY_MARK = '~~';
export const groupCopyId = (id: string, endpoint: string): string => `${id}${GROUP_COPY_MARK}${endpoint}`;
/** The part of a request id a shard is picked by: the id of a group request for its copies, else the id. */
export function shardIdOf(id: string): string {
  const mark = id.indexOf(GROUP_COPY_MARK);
  return mark === -1 ? id : id.slice(0, mark);
}
