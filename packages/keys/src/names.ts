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
