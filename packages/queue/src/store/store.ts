import type { Queue } from 'bullmq';
import type { Connection } from '../connection.js';
import { withinDeadline } from '../deadline.js';
import { defineScripts, SCRIPTS } from '../scripts.js';
import { requireReplicas } from '../replicas.js';
import { createShardSet, shardLabel, type Shard } from '../shards/shard-set.js';
import { addDelivery, deliveryOf, NEW, type AddOutcome } from './add.js';
import { startConsumers } from './consumers.js';
import { readCounts, readStats } from './counts.js';
import { readBrief, readInspection } from './inspect.js';
import { appendRequestLog, cancelDelivery, replayDelivery, storedState } from './lifecycle.js';
import { addOrdered } from './add-ordered.js';
import { readLine, summarizeLines } from './order.js';
import type { BoardQueue, RequestStore, StoreOptions } from './request-store.js';
import { decodeCursor, encodeCursor, scanFinished, type ListedRequest } from './scan.js';

const LAYOUT_REFRESH_MS = 10_000;
// Failed requests looked at per bulk replay, past which the answer says there may be more.
const SCAN_BUDGET = 20_000;

export function createRequestStore(connection: Connection, opts: StoreOptions): RequestStore {
  const { log } = opts;
  defineScripts(connection, Object.values(SCRIPTS));
  // Errors of the connection are reported once, by its owner; each queue would repeat them.
  const shards = createShardSet(connection, opts.prefix, opts.shards, (q) => void q.on('error', () => undefined));
  const bound = <T>(work: Promise<T>): Promise<T> => (opts.bounded ? withinDeadline(work, opts.timeoutMs) : work);
  const holding = (id: string) => bound(shards.holding(id));
  // An ordered request lives on its order key's shard, not its id's: looked for there only
  // when the id's own shard does not hold it, so every other request costs what it did.
  const byId = <T>(work: (shard: Shard, id: string) => Promise<T>, missing: (found: T) => boolean) => async (id: string): Promise<T> => {
    const found = await bound(work(await holding(id), id));
    if (!missing(found) || shards.all.length === 1) return found;
    const other = await bound(shards.locate(id));
    return other ? bound(work(other, id)) : found;
  };
  const gone = (found: unknown) => found === undefined || found === 'unknown';
  let consumers: ReturnType<typeof startConsumers> | undefined;
  let board: { from: readonly Shard[]; queues: readonly BoardQueue[] } | undefined;

  // Which other shard layouts still hold requests: the routes that take an id look there too,
  // and the workers drain them, whatever their own setting: changing it never strands requests.
  const refresh = () => shards.refresh().then((found) => {
    if (found.length === 0) return;
    if (consumers) {
      log.info(`Consuming ${found.length} more shards, of another QUEUE_SHARDS layout found in Redis`);
      consumers.consume(found);
    } else log.info(`Found ${found.length} shards of another QUEUE_SHARDS layout; requests stored there stay reachable`);
  }, (err: Error) => log.debug(`Shard layouts not read: ${err.message}`));
  const onReady = () => void refresh();
  connection.on('ready', onReady);
  void refresh();
  const timer = setInterval(() => void refresh(), LAYOUT_REFRESH_MS);
  timer.unref();

  return {
    // Not async: on the relay's path an extra await per request is measurable.
    add(job, options) {
      if (job.orderKey !== undefined) return addOrdered(shards, job, job.orderKey, { ...opts, checkDuplicate: options?.checkDuplicate === true }, bound);
      const shard = shards.forId(job.config.id);
      const { name, jobOptions } = deliveryOf(job);
      const added = bound(options?.checkDuplicate
        ? addDelivery(shard, name, job, jobOptions, opts.timeoutMs, shards.candidatesFor(job.config.id).slice(1))
        : shard.delivery.add(name, job, jobOptions).then((): AddOutcome => NEW));
      const replicas = opts.waitReplicas ?? 0;
      if (replicas === 0) return added;
      return added.then(async (outcome) => {
        if (!outcome.duplicate) await bound(requireReplicas(shard, replicas, opts.timeoutMs));
        return outcome;
      });
    },
    find: byId(readInspection, gone),
    stateOf: byId(storedState, gone),
    brief: byId(readBrief, gone),
    cancel: byId(cancelDelivery, gone),
    replay: byId(replayDelivery, gone),
    async replayFailed(filters, limit) {
      const replayed: string[] = [];
      let scanned = 0;
      for await (const match of scanFinished(shards.all, 'failed', filters, bound, () => ++scanned > SCAN_BUDGET)) {
        if ('budget' in match || replayed.length >= limit) return { replayed, more: true };
        if ((await bound(replayDelivery(match.shard, match.request.id))) === 'replayed') replayed.push(match.request.id);
      }
      return { replayed, more: false };
    },
    async list({ state, filters, limit, cursor }) {
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      const requests: ListedRequest[] = [];
      let scanned = 0;
      let last = after;
      for await (const match of scanFinished(shards.all, state, filters, bound, () => ++scanned > SCAN_BUDGET, after)) {
        if ('budget' in match) last = match.position ?? last;
        if ('budget' in match || requests.length >= limit) return { requests, cursor: last && encodeCursor(last) };
        requests.push(match.request);
        last = match.position;
      }
      return { requests, cursor: undefined };
    },
    appendLog: (id, text, limits) => byId((shard, i) => appendRequestLog(shard, i, text, limits), gone)(id),
    orderLine: (orderKey) => bound(readLine(shards.forOrderKey(orderKey), orderKey)),
    orderSummary: (limit) => bound(summarizeLines(shards.all, limit)),
    counts: () => bound(readCounts(shards.all)),
    stats: () => readStats(shards.all),
    async consumers() {
      const all = shards.all;
      const counts = await Promise.all(all.map((s) => s.delivery.getWorkersCount()));
      return all.map((s, i) => ({ label: shardLabel(s), workers: counts[i] ?? 0 }));
    },
    boardQueues() {
      if (board?.from !== shards.all) board = { from: shards.all, queues: boardQueuesOf(shards.all) };
      return board.queues;
    },
    deliveryQueues: () => shards.all.map((s) => s.delivery),
    consume(processors, settings) {
      consumers ??= startConsumers(processors, settings, { connection, prefix: opts.prefix, shards: opts.shards, log });
      consumers.consume(shards.all);
      return consumers;
    },
    async close() {
      clearInterval(timer);
      connection.off('ready', onReady);
      await shards.close();
    },
  };
}


// A single shard keeps the queues' plain names (and the board its URLs); shards are told
// apart by a prefix, since the board keys queues by name.
function boardQueuesOf(shards: readonly Shard[]): BoardQueue[] {
  return shards.flatMap((s) => {
    const only = s.count === 1;
    const named = (queue: Queue): BoardQueue => (s.index === 0 && only ? { queue } : {
      queue, prefix: `${s.index + 1}of${s.count}-`, displayName: `${queue.name} (shard ${s.index + 1} of ${s.count})`,
    });
    return [named(s.delivery), named(s.callback)];
  });
}
