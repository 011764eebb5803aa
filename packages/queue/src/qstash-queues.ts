import { qstashQueueKeys } from '@knocker/keys';
import type { Connection } from './connection.js';
import { runScript, SCRIPTS } from './scripts.js';
import type { ShardSet } from './shards/shard-set.js';
import { lineBrief, pauseLine } from './store/order.js';

/**
 * The order key of a QStash queue's line. Knocker-Order-Key allows no ':', so no native key
 * shares a queue's line.
 */
export const qstashQueueOrderKey = (name: string): string => `${ORDER_KEY_PREFIX}${name}`;
const ORDER_KEY_PREFIX = 'qstash-queue:';

/** The queue whose line an order key is, or undefined for any other key. */
export const qstashQueueOf = (orderKey: string | undefined): string | undefined =>
  orderKey?.startsWith(ORDER_KEY_PREFIX) ? orderKey.slice(ORDER_KEY_PREFIX.length) : undefined;

/** A QStash queue as the door shows it: its definition, and its line's state. */
export interface StoredQstashQueue {
  name: string;
  parallelism: number;
  /** Ms since the epoch. */
  createdAt: number;
  updatedAt: number;
  /** Messages not finished yet, the one being attempted included. */
  lag: number;
  paused: boolean;
}

export type QueueSaveOutcome = 'created' | 'updated' | 'kept' | 'full';
const SAVE_OUTCOMES: Record<number, QueueSaveOutcome> = { 0: 'full', 1: 'created', 2: 'updated', 3: 'kept' };
const MISSING = 4;

/**
 * The QStash door's queues: each a definition in one hash under QUEUE_PREFIX, and an order
 * line (on its key's shard) that holds its messages and its pause.
 */
export interface QstashQueues {
  /** Writes a definition, within `max` queues; `ensure` leaves an existing one as it is. */
  save(name: string, parallelism: number, opts: { max: number; ensure?: boolean }): Promise<QueueSaveOutcome>;
  get(name: string): Promise<StoredQstashQueue | undefined>;
  list(): Promise<StoredQstashQueue[]>;
  /** Removes the definition and lifts a pause: messages in the line still go, in order. */
  remove(name: string): Promise<boolean>;
  /**
   * Pauses or resumes the queue's line: resuming wakes its earliest unfinished message. With
   * `touch`, only an existing queue is (its `updatedAt` set): false when there is none.
   */
  setPaused(name: string, paused: boolean, opts?: { touch?: boolean }): Promise<boolean>;
}

type Definition = Omit<StoredQstashQueue, 'lag' | 'paused'>;

export function createQstashQueues(
  connection: Connection, prefix: string, shards: Pick<ShardSet, 'forOrderKey'>, bound: <T>(work: Promise<T>) => Promise<T>,
): QstashQueues {
  const { definitions } = qstashQueueKeys(prefix);
  const lineOf = (name: string) => shards.forOrderKey(qstashQueueOrderKey(name));
  const withLine = async (def: Definition): Promise<StoredQstashQueue> => {
    const { length, paused } = await bound(lineBrief(lineOf(def.name), qstashQueueOrderKey(def.name)));
    return { ...def, lag: length, paused };
  };
  const write = async (name: string, def: string, max: number, mode: 'upsert' | 'ensure' | 'touch') =>
    Number(await bound(runScript(connection, SCRIPTS.saveQstashQueue, [definitions], [name, def, max, mode, Date.now()])));
  return {
    async save(name, parallelism, { max, ensure = false }) {
      const now = Date.now();
      const def: Definition = { name, parallelism, createdAt: now, updatedAt: now };
      return SAVE_OUTCOMES[await write(name, JSON.stringify(def), max, ensure ? 'ensure' : 'upsert')] ?? 'full';
    },
    async get(name) {
      const raw = await bound(connection.hget(definitions, name));
      return raw === null ? undefined : withLine(JSON.parse(raw) as Definition);
    },
    async list() {
      const all = Object.values(await bound(connection.hgetall(definitions))).map((raw) => JSON.parse(raw) as Definition);
      return Promise.all(all.sort((a, b) => a.name.localeCompare(b.name)).map(withLine));
    },
    async remove(name) {
      const removed = (await bound(connection.hdel(definitions, name))) === 1;
      if (removed) await bound(pauseLine(lineOf(name), qstashQueueOrderKey(name), false));
      return removed;
    },
    async setPaused(name, paused, opts) {
      if (opts?.touch === true && (await write(name, '', 0, 'touch')) === MISSING) return false;
      await bound(pauseLine(lineOf(name), qstashQueueOrderKey(name), paused));
      return true;
    },
  };
}
