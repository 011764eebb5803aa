import { Job, type Queue } from 'bullmq';

/**
 * What flow control files a job under: its queue with its id, so that with several shards the
 * waker knows which queue to wake it in. Neither a queue name nor a job id holds a '|'.
 */
export function memberOf(job: { queueQualifiedName: string; id?: string | undefined }): string {
  return `${job.queueQualifiedName}|${job.id ?? ''}`;
}

/** States from which a job never comes back for the slot it was granted. */
const GONE = new Set(['unknown', 'completed', 'failed']);

/**
 * Moves sleeping jobs back to their queues, and returns those that will never come: removed,
 * or finished (a cancelled job is failed), whose slots must be given back. A job already
 * awake (woken twice, or on its way) is left alone: it comes for its slot.
 */
export function createWaker(queues: () => readonly Queue[]): (members: readonly string[]) => Promise<string[]> {
  return async (members) => {
    const byName = new Map(queues().map((q) => [q.qualifiedName, q]));
    const gone: string[] = [];
    await Promise.all(members.map(async (member) => {
      const cut = member.lastIndexOf('|');
      const queue = byName.get(member.slice(0, cut));
      if (!queue) return;
      const id = member.slice(cut + 1);
      const promoted = await new Job(queue, 'flow', {}, {}, id).promote().then(() => true, () => false);
      if (!promoted && GONE.has(await queue.getJobState(id).catch(() => 'error'))) gone.push(member);
    }));
    return gone;
  };
}
