import { Job, type Queue } from 'bullmq';

/**
 * What flow control files a job under: its queue with its id, so that with several shards the
 * waker knows which queue to wake it in. Neither a queue name nor a job id holds a '|'.
 */
export function memberOf(job: { queueQualifiedName: string; id?: string | undefined }): string {
  return `${job.queueQualifiedName}|${job.id ?? ''}`;
}

/**
 * Moves sleeping jobs back to their queues. A job that is no longer asleep (cancelled, or
 * already woken) is skipped: its slot expires with the lock duration if it never comes.
 */
export function createWaker(queues: () => readonly Queue[]): (members: readonly string[]) => Promise<void> {
  return async (members) => {
    const byName = new Map(queues().map((q) => [q.qualifiedName, q]));
    await Promise.all(members.map(async (member) => {
      const cut = member.lastIndexOf('|');
      const queue = byName.get(member.slice(0, cut));
      if (queue) await new Job(queue, 'flow', {}, {}, member.slice(cut + 1)).promote().catch(() => undefined);
    }));
  };
}
