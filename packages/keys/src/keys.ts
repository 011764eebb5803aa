import { QUEUES } from './names.js';

// Every Redis key Knocker writes or reads by name. `<prefix>` is QUEUE_PREFIX; `<shard>` is a
// shard's prefix (QUEUE_PREFIX itself with one shard, see shardPrefixes). Keys of one shard
// share its hash tag, and everything under QUEUE_PREFIX shares that one, so each script
// touches one Redis Cluster slot. Renaming a key strands what is stored under it.

/** One kind of key, as docs/architecture.md lists it (a test holds the two equal). */
export interface KeyKind {
  key: string;
  type: 'hash' | 'list' | 'zset' | 'set' | 'string' | 'stream' | 'various';
  /** Knocker's own, flow control's, or BullMQ's (read or written by name in Knocker's scripts). */
  owner: 'knocker' | 'flow' | 'bullmq';
  what: string;
}

export const REDIS_KEYS: readonly KeyKind[] = [
  { key: '<prefix>:layouts', type: 'hash', owner: 'knocker', what: 'shard counts (QUEUE_SHARDS) in use, each with when a process last said so' },
  { key: '<prefix>:metrics-publisher', type: 'string', owner: 'knocker', what: 'lease: the worker that publishes the queue gauges' },
  { key: '<prefix>:flow:metrics-publisher', type: 'string', owner: 'knocker', what: 'lease: the worker that publishes the flow gauges' },
  { key: '<prefix>:schedules:metrics-publisher', type: 'string', owner: 'knocker', what: 'lease: the worker that publishes the schedule gauge' },
  { key: '<prefix>:order:metrics-publisher', type: 'string', owner: 'knocker', what: 'lease: the worker that publishes the order-line gauges' },
  { key: '<prefix>:schedules:knocker-definitions', type: 'hash', owner: 'knocker', what: 'schedule id -> its definition (JSON)' },
  { key: '<prefix>:schedules:knocker-paused', type: 'hash', owner: 'knocker', what: 'ids of paused schedules' },
  { key: '<prefix>:schedules:knocker-ticks:<schedule id>', type: 'list', owner: 'knocker', what: "a schedule's last requests, newest first" },
  { key: '<prefix>:groups:knocker-definitions', type: 'hash', owner: 'knocker', what: 'group name -> its endpoints (JSON), for Knocker-Group' },
  { key: '<prefix>:qstash-queues:knocker-definitions', type: 'hash', owner: 'knocker', what: "QStash queue name -> its definition (JSON), for the QStash door's queues" },
  { key: '<prefix>:flow:keys', type: 'zset', owner: 'flow', what: 'flow keys in use, by when the sweep must next look at each' },
  { key: '<prefix>:flow:limited', type: 'zset', owner: 'flow', what: 'flow keys with limits of their own (QStash flow control), by when they were set' },
  { key: '<prefix>:flow:k:<flow key>:<part>', type: 'various', owner: 'flow', what: "one flow key's state: held, wait, since, parking, granted, rsv (zsets, hash, set), state and limits (hashes)" },
  { key: '<shard>:deliveries:req-<id>', type: 'hash', owner: 'bullmq', what: "a request's job: data, state fields, and Knocker's knockerReplays field" },
  { key: '<shard>:deliveries:req-<id>:logs', type: 'list', owner: 'bullmq', what: "a request's log lines (BullMQ's job log)" },
  { key: '<shard>:deliveries:req-<id>:adding', type: 'string', owner: 'knocker', what: 'a claim on a chosen id while its request is being stored' },
  { key: '<shard>:deliveries:wait', type: 'list', owner: 'bullmq', what: 'waiting requests, newest first (cancel takes from it; listing)' },
  { key: '<shard>:deliveries:paused', type: 'list', owner: 'bullmq', what: 'waiting requests of a paused queue (cancel takes from it)' },
  { key: '<shard>:deliveries:prioritized', type: 'zset', owner: 'bullmq', what: 'prioritized requests (cancel takes from it)' },
  { key: '<shard>:deliveries:delayed', type: 'zset', owner: 'bullmq', what: 'requests waiting for their time or a retry (cancel takes from it; listing)' },
  { key: '<shard>:deliveries:failed', type: 'zset', owner: 'bullmq', what: 'failed and cancelled requests by when they ended (listing, replay, bulk delete, cancel)' },
  { key: '<shard>:deliveries:completed', type: 'zset', owner: 'bullmq', what: 'delivered requests by when they ended (listing)' },
  { key: '<shard>:deliveries:events', type: 'stream', owner: 'bullmq', what: "the queue's events (cancel adds its own)" },
  { key: '<shard>:deliveries:meta', type: 'hash', owner: 'bullmq', what: "the queue's settings: its presence says a layout holds work" },
  { key: '<shard>:deliveries:marker', type: 'zset', owner: 'bullmq', what: 'tells blocked workers a job is ready (an order line wakes its head)' },
  { key: '<shard>:deliveries:knocker-order:<order key>', type: 'list', owner: 'knocker', what: "an order key's line: job ids in the order they were accepted, the head first" },
  { key: '<shard>:deliveries:knocker-order:<order key>:state', type: 'hash', owner: 'knocker', what: "when the line's head became head, and how each job put to sleep behind it sleeps" },
  { key: '<shard>:deliveries:knocker-orders', type: 'zset', owner: 'knocker', what: 'order keys with a line on the shard, by how many jobs it holds (admin view, gauges)' },
  { key: '<shard>:deliveries:knocker-order-paused', type: 'set', owner: 'knocker', what: 'order keys whose line is paused: their heads are not attempted' },
  { key: '<shard>:deliveries:knocker-order-checks', type: 'zset', owner: 'knocker', what: "order keys by when the sweep next checks that the line's head is alive" },
  { key: '<shard>:callbacks:meta', type: 'hash', owner: 'bullmq', what: 'the same, for the callback queue' },
  { key: '<shard>:<queue>:*', type: 'various', owner: 'bullmq', what: "BullMQ's other keys (callback jobs, ticks, locks, metrics), reached through its API only" },
];

/** BullMQ's keys of one queue, as Knocker's scripts address them (BullMQ's `queue.toKey`). */
export interface QueueKeys {
  /** `<shard>:<queue>`: BullMQ's `qualifiedName`. */
  readonly base: string;
  job(jobId: string): string;
  logs(jobId: string): string;
  /** Knocker's claim on a job id while a request with a chosen id is stored. */
  claim(jobId: string): string;
  readonly wait: string;
  readonly paused: string;
  readonly prioritized: string;
  readonly delayed: string;
  readonly failed: string;
  readonly completed: string;
  readonly events: string;
  readonly meta: string;
  /** BullMQ's marker: a job put in `wait` by a script must be announced here. */
  readonly marker: string;
  /** Order lines (Knocker-Order-Key) of this queue: each key's line and its state, and the two indexes. */
  orderLine(orderKey: string): string;
  orderState(orderKey: string): string;
  readonly orders: string;
  readonly orderChecks: string;
  readonly orderPaused: string;
}

export function queueKeys(shard: string, queue: string): QueueKeys {
  const base = `${shard}:${queue}`;
  const key = (name: string) => `${base}:${name}`;
  return {
    base,
    job: key,
    logs: (jobId) => key(`${jobId}:logs`),
    claim: (jobId) => key(`${jobId}:adding`),
    wait: key('wait'),
    paused: key('paused'),
    prioritized: key('prioritized'),
    delayed: key('delayed'),
    failed: key('failed'),
    completed: key('completed'),
    events: key('events'),
    meta: key('meta'),
    marker: key('marker'),
    // The scripts that walk the indexes build the same names from `base` (order-common.lua).
    orderLine: (orderKey) => key(`knocker-order:${orderKey}`),
    orderState: (orderKey) => key(`knocker-order:${orderKey}:state`),
    orders: key('knocker-orders'),
    orderChecks: key('knocker-order-checks'),
    orderPaused: key('knocker-order-paused'),
  };
}

/** Keys under QUEUE_PREFIX itself, whatever QUEUE_SHARDS says: a change of layout never strands them. */
export function prefixKeys(prefix: string) {
  return {
    layouts: `${prefix}:layouts`,
    /** Leases naming the one worker that publishes each set of gauges read from Redis. */
    leases: {
      queues: `${prefix}:metrics-publisher`,
      flow: `${prefix}:flow:metrics-publisher`,
      schedules: `${prefix}:schedules:metrics-publisher`,
      orders: `${prefix}:order:metrics-publisher`,
    },
  };
}

export function scheduleKeys(prefix: string) {
  const base = `${prefix}:${QUEUES.schedule}`;
  return {
    definitions: `${base}:knocker-definitions`,
    paused: `${base}:knocker-paused`,
    ticks: (scheduleId: string) => `${base}:knocker-ticks:${scheduleId}`,
  };
}

/** Fan-out groups, under QUEUE_PREFIX: a change of QUEUE_SHARDS never strands them. */
export function groupKeys(prefix: string) {
  return { definitions: `${prefix}:groups:knocker-definitions` };
}

/** The QStash door's queues, under QUEUE_PREFIX: each is an order line (on its key's shard) and this definition. */
export function qstashQueueKeys(prefix: string) {
  return { definitions: `${prefix}:qstash-queues:knocker-definitions` };
}

/** The parts of one flow key's state, in the order flow control's scripts take them. */
export const FLOW_KEY_PARTS = ['held', 'wait', 'since', 'parking', 'granted', 'rsv', 'state', 'limits'] as const;
export type FlowKeyPart = (typeof FLOW_KEY_PARTS)[number];

/**
 * Flow control's keys, under `<prefix>:flow`: with the default `{knocker}` prefix all of flow
 * control shares one hash tag, whatever the queues do.
 */
export function flowKeys(prefix: string) {
  const keyBase = `${prefix}:flow:k:`;
  const part = (flowKey: string, name: FlowKeyPart) => `${keyBase}${flowKey}:${name}`;
  return {
    index: `${prefix}:flow:keys`,
    /** Flow keys whose limits were set by their messages or pinned, to bound how many there are. */
    limited: `${prefix}:flow:limited`,
    /** What the scripts that walk the index append `<flow key>:<part>` to. */
    keyBase,
    part,
    parts: (flowKey: string) => FLOW_KEY_PARTS.map((name) => part(flowKey, name)),
  };
}
