import type { Queue } from 'bullmq';
import type { DeliveryJob } from '../jobs.js';
import type { Groups } from '../groups.js';
import type { QstashQueues } from '../qstash-queues.js';
import type { AddOutcome } from './add.js';
import type { CopiesOutcome } from './add-copies.js';
import type { ConsumerSettings, Consumers, Processors } from './consumers.js';
import type { QueueStats, StoreCounts } from './counts.js';
import type { Inspection, StoredRequest } from './inspect.js';
import type { CancelOutcome, LogLimits, LogOutcome, RemoveOutcome, ReplayOutcome, RequestState } from './lifecycle.js';
import type { ListedRequest, ListedState, RequestFilters } from './scan.js';
import type { OrderLine, OrderSummary } from './order.js';

/** Where the store says what it found; a Logger fits. */
export interface StoreLog {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

export interface StoreOptions {
  /** QUEUE_PREFIX and QUEUE_SHARDS. */
  prefix: string;
  shards: number;
  /** REDIS_TIMEOUT_MS: the bound on a call when `bounded`, and on waiting for replicas or for another add of the same id. */
  timeoutMs: number;
  /** The api's calls answer within `timeoutMs` or fail with QueueUnavailableError; the workers' wait for Redis. */
  bounded: boolean;
  /** REDIS_WAIT_REPLICAS: replicas that must hold a new request before `add` resolves. */
  waitReplicas?: number | undefined;
  log: StoreLog;
}

export interface ListQuery {
  state: ListedState;
  filters: RequestFilters;
  limit: number;
  /** What the last page answered; absent for the first page. */
  cursor?: string | undefined;
  /** Also answer, for each request, the cursor that resumes right after it (a caller merging listings). */
  each?: boolean;
}

/** A page of a listing; `after[i]` resumes after `requests[i]` when `each` was asked. */
export interface ListPage {
  requests: ListedRequest[];
  cursor: string | undefined;
  after?: string[];
}

/** Bull Board's view of a queue; `prefix` and `displayName` tell shards apart (a single shard keeps plain names). */
export interface BoardQueue {
  queue: Queue;
  prefix?: string;
  displayName?: string;
}

/**
 * The one face of stored requests: callers never see a shard, a Redis key or a script. It
 * knows the shard layouts and refreshes them every 10 s (and when Redis comes back).
 */
export interface RequestStore {
  /**
   * Stores a new request. With `checkDuplicate` (the caller chose the id) a request stored
   * under that id already is answered instead; a generated id cannot be known yet.
   */
  add(job: DeliveryJob, opts?: { checkDuplicate?: boolean }): Promise<AddOutcome>;
  /**
   * Stores the copies of one group request (`groupId`, ids `<groupId>~~<endpoint>`), all in one
   * transaction on one shard. With `checkDuplicate` a copy stored already answers for the group.
   */
  addCopies(groupId: string, jobs: readonly DeliveryJob[], opts?: { checkDuplicate?: boolean }): Promise<CopiesOutcome>;
  /** The fan-out groups Knocker-Group names. */
  readonly groups: Groups;
  /** The QStash door's queues: each an order line with a definition. */
  readonly qstashQueues: QstashQueues;
  /**
   * Stores many new requests, as `add` does each, in a few round trips per shard (a batch);
   * resolves once every one is stored (and held by REDIS_WAIT_REPLICAS replicas), in their order.
   */
  addMany(items: ReadonlyArray<{ job: DeliveryJob; checkDuplicate: boolean }>): Promise<AddOutcome[]>;
  /** Everything the inspection route shows, or undefined; with `request`, what the request carries too. */
  find(id: string, opts?: { request?: boolean }): Promise<Inspection | undefined>;
  /** What a request carries (headers, body, its QStash traits), or undefined: one read of its job. */
  stored(id: string): Promise<StoredRequest | undefined>;
  stateOf(id: string): Promise<RequestState | undefined>;
  /** The state and acceptance time of a request, as a schedule lists its ticks. */
  brief(id: string): Promise<{ state: RequestState | undefined; acceptedAt: number } | undefined>;
  cancel(id: string): Promise<CancelOutcome>;
  replay(id: string): Promise<ReplayOutcome>;
  /** Replays the failed requests that match, oldest failure first, up to `limit`; `more` when some may remain. */
  replayFailed(filters: RequestFilters, limit: number): Promise<{ ids: string[]; more: boolean }>;
  /** Removes the failed requests that match, oldest failure first, up to `limit`; `more` when some may remain. */
  deleteFailed(filters: RequestFilters, limit: number): Promise<{ ids: string[]; more: boolean }>;
  /** Removes a failed, cancelled or delivered request; `busy` when it is in another state. */
  removeFinished(id: string): Promise<RemoveOutcome>;
  /**
   * Requests in a state, newest first across every shard, a page at a time; `cursor` is absent
   * after the last page. A page looks at REQUESTS_SCANNED_MAX requests at most, and may then be short.
   */
  list(query: ListQuery): Promise<ListPage>;
  /** An order key's line: its head and how many wait behind it. */
  orderLine(orderKey: string): Promise<OrderLine>;
  /** How many order lines there are and the `limit` with most waiting, for the gauges. */
  orderSummary(limit: number): Promise<OrderSummary>;
  appendLog(id: string, text: string, limits: LogLimits): Promise<LogOutcome>;
  /** Counts by state summed over every shard of every layout, for the status page. */
  counts(): Promise<StoreCounts>;
  /** Each queue's counts, oldest wait and consumers, for the gauges. */
  stats(): Promise<QueueStats[]>;
  /** Worker connections on each shard's delivery queue, for the health check; labels such as `2/3`. */
  consumers(): Promise<Array<{ label: string; workers: number }>>;
  /** The queues for Bull Board; a new array when layouts change. */
  boardQueues(): readonly BoardQueue[];
  /** Every delivery queue, for flow control's waker. */
  deliveryQueues(): readonly Queue[];
  /** Starts consuming every shard, and each shard found later, once (the workers). */
  consume(processors: Processors, settings: ConsumerSettings): Consumers;
  close(): Promise<void>;
}
