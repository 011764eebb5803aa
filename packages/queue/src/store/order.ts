import { DelayedError, type Job } from 'bullmq';
import { deliveryJobId } from '@knocker/keys';
import type { DeliveryJob } from '../jobs.js';
import { runScript, SCRIPTS } from '../scripts.js';
import type { Shard } from '../shards/shard-set.js';
import { storedState, type RequestState } from './lifecycle.js';

// Order lines (Knocker-Order-Key): every request with a key waits in its key's line, on the
// shard the key picks, and only the line's head is attempted. The scripts are in
// lua/order-*.lua; the head leaves the line once BullMQ has marked it delivered or failed.

/** How long a job waiting its turn sleeps if never woken: a last resort, the sweep comes first. */
export const ORDER_PARK_MS = 3_600_000;
/** How often the sweep looks at each line to find a head that is gone or asleep. */
export const ORDER_CHECK_MS = 10_000;
/** How often each worker runs the sweep on each shard it consumes, and how many lines it looks at. */
export const ORDER_SWEEP_MS = 5_000;
const SWEEP_LINES = 100;

type Where = Pick<Shard, 'redis' | 'keys'>;

/** One order key's line, as the admin view shows it. */
export interface OrderLine {
  key: string;
  /** The request being attempted (or waiting for its time, a retry or a slot); null when the line is empty. */
  head: { id: string; state: RequestState | undefined; since: string } | null;
  /** Requests behind the head. */
  waiting: number;
}

/** Lines with most requests waiting, and how many lines there are, over a set of shards. */
export interface OrderSummary {
  keys: number;
  busiest: Array<{ key: string; waiting: number }>;
}

const REQUEST_ID_FROM = deliveryJobId('').length;

/** How many requests the key's line holds, before one is added (a cheap read of the index). */
export async function lineLength({ redis, keys }: Where, orderKey: string): Promise<number> {
  return Number((await redis.zscore(keys.orders, orderKey)) ?? 0);
}

/** Puts a stored request at the back of its line; the api does so before it answers. */
export async function enterLine({ redis, keys }: Where, jobId: string, orderKey: string): Promise<void> {
  await runScript(redis, SCRIPTS.orderEnter, [keys.orders, keys.orderChecks], [keys.base, orderKey, jobId, Date.now(), ORDER_CHECK_MS]);
}

/**
 * Before an attempt of an ordered job: returns when the job is its line's head; else moves it
 * to the delayed set, where it sleeps until the head before it leaves, and throws BullMQ's
 * DelayedError (no attempt spent).
 */
export async function takeTurn(
  shard: Where, job: Job<DeliveryJob>, orderKey: string, token: string | undefined, headLeft?: (seconds: number) => void,
): Promise<void> {
  const { redis, keys } = shard;
  const jobId = job.id ?? '';
  const [go, ...dropped] = await runScript(redis, SCRIPTS.orderTurn, [keys.orders, keys.orderChecks], [keys.base, orderKey, jobId, Date.now(), ORDER_CHECK_MS]) as number[];
  // Heads that ended before their worker took them out of the line: their time is told here.
  for (const ms of dropped) headLeft?.(ms / 1000);
  if (go === 1) return;
  // Spread so that jobs put to sleep together do not all come back together if never woken.
  await job.moveToDelayed(Date.now() + ORDER_PARK_MS * (0.9 + Math.random() * 0.2), token);
  // Its turn may have come while it was moving: then whoever found it parking left it to wake itself.
  if (Number(await runScript(redis, SCRIPTS.orderSettle, [keys.orderState(orderKey)], [jobId])) === 0) {
    await job.promote().catch(() => undefined);
  }
  throw new DelayedError();
}

/** Once an ordered job is finished: takes it out of its line and wakes the next. Returns the ms it was head. */
export async function leaveLine({ redis, keys }: Where, jobId: string, orderKey: string): Promise<number | undefined> {
  const ms = Number(await runScript(redis, SCRIPTS.orderLeave, [keys.orders, keys.orderChecks], [keys.base, orderKey, jobId, Date.now()]));
  return ms >= 0 ? ms : undefined;
}

/**
 * Pauses or resumes a line: a paused line's head sleeps at its next turn; resuming wakes it.
 * The pause outlives an empty line: requests added later wait too. True when it changed.
 */
export async function pauseLine({ redis, keys }: Where, orderKey: string, paused: boolean): Promise<boolean> {
  const changed = await runScript(redis, SCRIPTS.orderPause, [keys.orderPaused, keys.orders, keys.orderChecks], [keys.base, orderKey, paused ? 1 : 0, Date.now()]);
  return Number(changed) === 1;
}

/** How many requests a line holds, its head included, and whether it is paused. */
export async function lineBrief({ redis, keys }: Where, orderKey: string): Promise<{ length: number; paused: boolean }> {
  const [length, paused] = await Promise.all([lineLength({ redis, keys }, orderKey), redis.sismember(keys.orderPaused, orderKey)]);
  return { length, paused: paused === 1 };
}

/** Settles the lines whose check is due; returns the ms at the head of each ended head it dropped. */
export async function sweepLines({ redis, keys }: Where): Promise<number[]> {
  return await runScript(redis, SCRIPTS.orderSweep, [keys.orders, keys.orderChecks], [keys.base, Date.now(), SWEEP_LINES, ORDER_CHECK_MS]) as number[];
}

export async function readLine(shard: Where & Pick<Shard, 'delivery'>, orderKey: string): Promise<OrderLine> {
  const { redis, keys } = shard;
  const [headJob, since, length] = await runScript(redis, SCRIPTS.orderView, [keys.orderLine(orderKey), keys.orderState(orderKey)], []) as [string | null, string | null, number];
  if (!headJob) return { key: orderKey, head: null, waiting: 0 };
  const id = headJob.slice(REQUEST_ID_FROM);
  const head = { id, state: await storedState(shard, id), since: new Date(Number(since ?? Date.now())).toISOString() };
  return { key: orderKey, head, waiting: Math.max(0, Number(length) - 1) };
}

/** The `limit` lines with most waiting over these shards (an order key lives on one shard). */
export async function summarizeLines(shards: readonly Where[], limit: number): Promise<OrderSummary> {
  const read = await Promise.all(shards.map(async ({ redis, keys }) => {
    const [count, top] = await Promise.all([redis.zcard(keys.orders), redis.zrevrange(keys.orders, 0, limit - 1, 'WITHSCORES')]);
    const lines: Array<{ key: string; waiting: number }> = [];
    for (let i = 0; i + 1 < top.length; i += 2) lines.push({ key: top[i]!, waiting: Math.max(0, Number(top[i + 1]) - 1) });
    return { count, lines };
  }));
  const busiest = read.flatMap((r) => r.lines).sort((a, b) => b.waiting - a.waiting || (a.key < b.key ? -1 : 1)).slice(0, limit);
  return { keys: read.reduce((n, r) => n + r.count, 0), busiest };
}
