import { FlowProducer, type Queue } from 'bullmq';
import { REQUESTS_SCANNED_MAX } from '@knocker/contract';
import type { Connection } from '../connection.js';
import { withinDeadline } from '../deadline.js';
import { defineScripts, SCRIPTS } from '../scripts.js';
import { requireReplicas } from '../replicas.js';
import { createShardSet, shardLabel, type Shard } from '../shards/shard-set.js';
import { createGroups } from '../groups.js';
import { createQstashQueues } from '../qstash-queues.js';
import { addDelivery, deliveryOf, NEW, type AddOutcome } from './add.js';
import { addOrdered } from './add-ordered.js';
import { readLine, summarizeLines } from './order.js';
import { addCopies } from './add-copies.js';
import { addToShard, type ShardItem } from './add-many.js';
import { startConsumers } from './consumers.js';
import { readCounts, readStats } from './counts.js';
import { readBrief, readInspection, readStored } from './inspect.js';
import { appendRequestLog, cancelDelivery, removeFinished, replayDelivery, storedState } from './lifecycle.js';
import type { BoardQueue, RequestStore, StoreOptions } from './request-store.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { scanRequests, type ListedRequest, type RequestFilters } from './scan.js';

const LAYOUT_REFRESH_MS = 10_000;

export function createRequestStore(connection: Connection, opts: StoreOptions): RequestStore {
  const { log } = opts;
  // Every script defined before the first command: see defineScripts.
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

  /** Does `act` to each failed request that matches, oldest failure first, up to `limit`. */
  async function eachFailed(filters: RequestFilters, limit: number, act: (shard: Shard, id: string) => Promise<boolean>) {
    const done: string[] = [];
    let scanned = 0;
    for await (const match of scanRequests(shards.all, { state: 'failed', order: 'oldest', filters }, bound, () => ++scanned > REQUESTS_SCANNED_MAX)) {
      if ('budget' in match || done.length >= limit) return { ids: done, more: true };
      if (await bound(act(match.shard, match.request.id))) done.push(match.request.id);
    }
    return { ids: done, more: false };
  }

  const replicas = opts.waitReplicas ?? 0;
  const afterReplicas = <T extends { duplicate: boolean }>(shard: Shard, added: Promise<T>): Promise<T> => {
    if (replicas === 0) return added;
    return added.then(async (outcome) => {
      if (!outcome.duplicate) await bound(requireReplicas(shard, replicas, opts.timeoutMs));
      return outcome;
    });
  };
  // Not async: on the relay's path an extra await per request is measurable.
  const add: RequestStore['add'] = (job, options) => {
    if (job.orderKey !== undefined) return addOrdered(shards, job, job.orderKey, { ...opts, checkDuplicate: options?.checkDuplicate === true }, bound);
    const shard = shards.forId(job.config.id);
    const { name, jobOptions } = deliveryOf(job);
    const added = bound(options?.checkDuplicate
      ? addDelivery(shard, name, job, jobOptions, opts.timeoutMs, shards.candidatesFor(job.config.id).slice(1))
      : shard.delivery.add(name, job, jobOptions).then((): AddOutcome => NEW));
    return afterReplicas(shard, added);
  };
  // Made with the first group request: a store that never sees one never has it.
  let producer: FlowProducer | undefined;
  const groups = createGroups(connection, opts.prefix, bound);

  return {
    add,
    addCopies(groupId, jobs, options) {
      const shard = shards.forId(groupId);
      producer ??= quiet(new FlowProducer({ connection, prefix: opts.prefix }));
      const check = { duplicate: options?.checkDuplicate === true, waitMs: opts.timeoutMs, elsewhere: shards.candidatesFor(groupId).slice(1) };
      return afterReplicas(shard, bound(addCopies(shard, producer, groupId, jobs, check)));
    },
    groups,
    qstashQueues: createQstashQueues(connection, opts.prefix, shards, bound),
    async addMany(items) {
      const outcomes: AddOutcome[] = [];
      const byShard = new Map<Shard, Array<{ at: number; item: ShardItem }>>();
      const alone: Array<Promise<unknown>> = [];
      for (const [at, { job, checkDuplicate }] of items.entries()) {
        // Under an older layout too, a chosen id is checked there first, and an ordered request
        // joins its key's line: the single add does both.
        if (job.orderKey !== undefined || (checkDuplicate && shards.candidatesFor(job.config.id).length > 1)) {
          alone.push(add(job, { checkDuplicate }).then((o) => (outcomes[at] = o)));
          continue;
        }
        const shard = shards.forId(job.config.id);
        const list = byShard.get(shard) ?? [];
        const { name, jobOptions } = deliveryOf(job);
        byShard.set(shard, [...list, { at, item: { name, job, opts: jobOptions, checkDuplicate } }]);
      }
      await Promise.all([...alone, ...[...byShard].map(async ([shard, list]) => {
        const got = await bound(addToShard(shard, list.map((l) => l.item), opts.timeoutMs));
        for (const [k, o] of got.entries()) outcomes[list[k]!.at] = o;
        if (replicas > 0 && got.some((o) => !o.duplicate)) await bound(requireReplicas(shard, replicas, opts.timeoutMs));
      })]);
      return outcomes;
    },
    find: (id, opts) => byId((shard, i) => readInspection(shard, i, opts?.request === true), gone)(id),
    stored: byId(readStored, gone),
    stateOf: byId(storedState, gone),
    brief: byId(readBrief, gone),
    cancel: byId(cancelDelivery, gone),
    replay: byId(replayDelivery, gone),
    replayFailed: (filters, limit) => eachFailed(filters, limit, (shard, id) => replayDelivery(shard, id).then((o) => o === 'replayed')),
    deleteFailed: (filters, limit) => eachFailed(filters, limit, (shard, id) => removeFinished(shard, id, ['failed']).then((o) => o === 'removed')),
    removeFinished: byId((shard, id) => removeFinished(shard, id, ['failed', 'cancelled', 'delivered']), gone),
    async list({ state, filters, limit, cursor, each }) {
      const after = cursor === undefined ? undefined : decodeCursor(cursor, state);
      const requests: ListedRequest[] = [];
      const cursors: string[] = [];
      const page = (next: string | undefined) => (each ? { requests, cursor: next, after: cursors } : { requests, cursor: next });
      let scanned = 0;
      let last = after;
      for await (const match of scanRequests(shards.all, { state, order: 'newest', filters, after, chunk: limit + 1 }, bound, () => ++scanned > REQUESTS_SCANNED_MAX)) {
        // One match past the page says there is a next one: the last page never ends with a cursor.
        if ('budget' in match || requests.length >= limit) return page(encodeCursor(state, 'budget' in match ? match.position : last!));
        requests.push(match.request);
        if (each) cursors.push(encodeCursor(state, match.position));
        last = match.position;
      }
      return page(undefined);
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
      await Promise.all([shards.close(), producer?.close()]);
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

// Errors of the connection are reported once, by its owner.
function quiet<T extends { on(event: 'error', listener: () => void): unknown }>(emitter: T): T {
  emitter.on('error', () => undefined);
  return emitter;
}
