import { checkGroupName } from '@knocker/protocol';
import type { StoredQstashQueue } from '@knocker/queue';
import { readDestination } from './destination.js';
import { QstashRequestError } from './errors.js';

/** Queues a deployment holds at most; an enqueue to a new queue past it is refused. */
export const QUEUES_MAX = 200;
/** Bytes of a `POST /v2/queues` body read at most: `{queueName, parallelism, paused}` is small. */
export const QUEUE_BODY_MAX_BYTES = 4096;

/** A queue's name, with URL groups' rules; the problem is named by `field`. */
export function readQueueName(name: unknown, field: string): string {
  const problem = typeof name === 'string' ? checkGroupName(name) : 'is required';
  if (problem !== undefined) throw new QstashRequestError({ [field]: problem });
  return name as string;
}

/**
 * `POST /v2/queues`: `{queueName, parallelism?, paused?}`. A queue is one order line, so one
 * message is attempted at a time: a parallelism above 1 is refused, not silently lowered
 * (flow control's `parallelism` is the way to more at once).
 */
export function readQueueUpsert(body: Buffer): { queueName: string; parallelism: number; paused: boolean } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new QstashRequestError({ body: 'must be JSON: {"queueName": "…", "parallelism": 1, "paused": false}' });
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new QstashRequestError({ body: 'must be a JSON object' });
  const { queueName, parallelism = 1, paused = false } = parsed as Record<string, unknown>;
  const errors: Record<string, string> = {};
  try {
    readQueueName(queueName, 'queueName');
  } catch (err) {
    Object.assign(errors, (err as QstashRequestError).errors);
  }
  if (!Number.isInteger(parallelism) || (parallelism as number) < 1) errors['parallelism'] = 'must be a whole number of at least 1';
  else if (parallelism !== 1) {
    errors['parallelism'] = 'must be 1 here: a queue delivers one message at a time, in order; for more at once use flow control (Upstash-Flow-Control-Key)';
  }
  if (typeof paused !== 'boolean') errors['paused'] = 'must be true or false';
  if (Object.keys(errors).length > 0) throw new QstashRequestError(errors);
  return { queueName: queueName as string, parallelism: 1, paused: paused as boolean };
}

/**
 * `POST /v2/enqueue/<queue>/<destination>`: the queue's name, then the destination as publish
 * takes it (a URL pasted raw, or a URL group). Undefined when the path is not one.
 */
export function readEnqueuePath(pathAndQuery: string, prefix: string): { queue: string; destination: string } | undefined {
  if (!pathAndQuery.startsWith(prefix)) return undefined;
  const slash = pathAndQuery.indexOf('/', prefix.length);
  if (slash === -1) return undefined;
  const queue = pathAndQuery.slice(prefix.length, slash);
  return { queue, destination: readDestination(pathAndQuery, `${prefix}${queue}/`)! };
}

/** A queue in QStash's shape. */
export function queueOf(q: StoredQstashQueue): Record<string, unknown> {
  return { name: q.name, createdAt: q.createdAt, updatedAt: q.updatedAt, parallelism: q.parallelism, lag: q.lag, paused: q.paused };
}
