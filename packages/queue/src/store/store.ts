import { FlowProducer, type Queue } from 'bullmq';
import type { Connection } from '../connection.js';
import { withinDeadline } from '../deadline.js';
import { deliveryJobOptions } from '../jobs.js';
import { requireReplicas } from '../replicas.js';
import { createShardSet, shardLabel, type Shard } from '../shards/shard-set.js';
import { createGroups } from '../groups.js';
import { addDelivery, type AddOutcome } from './add.js';
import { addCopies } from './add-copies.js';
import { startConsumers } from './consumers.js';
import { readCounts, readStats } from './counts.js';
import { readBrief, readInspection } from './inspect.js';
import { appendRequestLog, cancelDelivery, replayDelivery, storedState } from './lifecycle.js';
import type { BoardQueue, RequestStore, StoreOptions } from './request-store.js';
import { decodeCursor, encodeCursor, scanFinished, type ListedRequest } from './scan.js';

const LAYOUT_REFRESH_MS = 10_000;
// Failed requests looked at per bulk replay, past which the answer says there may be more.
const SCAN_BUDGET = 20_000;

export function createRequestStore(connection: Connection, opts: StoreOptions): RequestStore {
  const { log } = opts;
  // Errors of the connection are reported once, by its owner; each queue would repeat them.
  const shards = createShardSet(connection, opts.prefix, opts.shards, (q) => void q.on('error', () => undefined));
  const bound = <T>(work: Promise<T>): Promise<T> => (opts.bounded ? withinDeadline(work, opts.timeoutMs) : work);
  const holding = (id: string) => bound(shards.holding(id));
  let consumers: ReturnType<typeof startConsumers> | undefined;
  let board: { from: readonly Shard[]; queues: readonly BoardQueue[] } | undefined;
  // Made with the first group request: a store that never sees one never has it.
  let producer: FlowProducer | undefined;
  const afterReplicas = <T extends { duplicate: boolean }>(shard: Shard, added: Promise<T>): Promise<T> => {
    const replicas = opts.waitReplicas ?? 0;
    if (replicas === 0) return added;
    return added.then(async (outcome) => {
      if (!outcome.duplicate) await bound(requireReplicas(shard, replicas, opts.timeoutMs));
      return outcome;
    });
  };

  // Which other shard layouts still hold requests: the routes that take an id look there too,
  // and the workers drain them, whatever their own setting: changing it never strands requests.
  const refresh = () => shards.refresh().then((found) => {
    if (found.length === 0) return;
    if (consumers) {
      log.info(`Consuming ${found.length} more shards, of another QUEUE_SHARDS layout found in Redis`);
      consumers.consume(found);
    } else log.info(`Found ${found.length} shards of another QUEUE_SHARDS layout; requests stored there stay reachable`);
  }, (err: Error) => log.debug(`Shard layouts not read: ${err.message}`));
  const groups = createGroups(connection, opts.prefix, bound);
  const onReady = () => void refresh();
  connection.on('ready', onReady);
  void refresh();
  const timer = setInterval(() => void refresh(), LAYOUT_REFRESH_MS);
  timer.unref();

  return {
    // Not async: on the relay's path an extra await per request is measurable.
    add(job, options) {
      const shard = shards.forId(job.config.id);
      const name = `${job.method} ${job.config.host}`;
      const jobOptions = deliveryJobOptions(job.config);
      // A delayed job waits in BullMQ's delayed set, in Redis: it keeps its time across restarts.
      if (job.notBefore !== undefined) jobOptions.delay = Math.max(0, job.notBefore - Date.now());
      const added = bound(options?.checkDuplicate
        ? addDelivery(shard, name, job, jobOptions, opts.timeoutMs, shards.candidatesFor(job.config.id).slice(1))
        : shard.delivery.add(name, job, jobOptions).then((): AddOutcome => NEW));
      return afterReplicas(shard, added);
    },
    addCopies(groupId, jobs, options) {
      const shard = shards.forId(groupId);
      producer ??= quiet(new FlowProducer({ connection, prefix: opts.prefix }));
      const check = { duplicate: options?.checkDuplicate === true, waitMs: opts.timeoutMs, elsewhere: shards.candidatesFor(groupId).slice(1) };
      return afterReplicas(shard, bound(addCopies(shard, producer, groupId, jobs, check)));
    },
    groups,
    find: async (id) => bound(readInspection(await holding(id), id)),
    stateOf: async (id) => bound(storedState(await holding(id), id)),
    brief: async (id) => bound(readBrief(await holding(id), id)),
    cancel: async (id) => bound(cancelDelivery(await holding(id), id)),
    replay: async (id) => bound(replayDelivery(await holding(id), id)),
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
    appendLog: async (id, text, limits) => bound(appendRequestLog(await holding(id), id, text, limits)),
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

const NEW: AddOutcome = { duplicate: false };

// Errors of the connection are reported once, by its owner.
function quiet<T extends { on(event: 'error', listener: () => void): unknown }>(emitter: T): T {
  emitter.on('error', () => undefined);
  return emitter;
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
