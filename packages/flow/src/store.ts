import type { BreakerSettings, KeyLimits } from '@knocker/config';
import { flowKeys } from '@knocker/keys';
import { defineScripts, runScript, type Connection } from '@knocker/queue';
import type { FlowKey } from '@knocker/protocol';
import { SCRIPTS } from './scripts.js';
import { detailOf, fieldsOf, viewOf, type KeyDetail, type KeyView } from './views.js';

export type { KeyDetail, KeyView } from './views.js';

export type Admission =
  | { verdict: 'go'; waitedMs: number | undefined; woken: string[]; tracked: boolean }
  | { verdict: 'wait'; reason: 'queued' | 'concurrency' | 'paused' | 'breaker'; woken: string[] }
  | { verdict: 'later'; delayMs: number; woken: string[] };

/** What the breaker learns from an attempt: 'fail' counts, 'ok' closes, 'none' says nothing. */
export type BreakerOutcome = 'ok' | 'fail' | 'none';


/** A key's own limits, as a QStash message or a pin gives them; 0 for none. */
export interface OwnLimits {
  parallelism: number;
  rate: number;
  periodMs: number;
}

/** What a key's own limits change: a message's, a pin, an unpin, a new rate period. */
export type LimitsChange =
  | { kind: 'incoming' | 'pin'; parallelism?: number; rate?: number; periodMs?: number }
  | { kind: 'unpin'; parallelism: boolean; rate: boolean }
  | { kind: 'reset' };

export interface FlowStore {
  /**
   * Before an attempt. `track` asks for a slot to be held until `release` even without a
   * concurrency limit (the breaker); `own` are the limits the job carries, the key's again if
   * its own lapsed. A 'go' says whether it holds a slot (`tracked`) to release.
   */
  acquire(key: FlowKey, jobId: string, order: number, limits: KeyLimits, lockMs: number, track: boolean, own?: OwnLimits): Promise<Admission>;
  /** False when the job was granted a slot while it went to sleep: it must wake itself. */
  parked(key: FlowKey, jobId: string): Promise<boolean>;
  /** Keeps a running attempt's slot for another lock duration; false when it had already expired. */
  renew(key: FlowKey, jobId: string, lockMs: number): Promise<boolean>;
  release(key: FlowKey, jobId: string, outcome: BreakerOutcome, breaker: BreakerSettings): Promise<{ change: '' | 'open' | 'closed'; woken: string[] }>;
  /** Gives back the slots granted to jobs that are gone (cancelled, removed) and returns those to wake instead. */
  drop(key: FlowKey, jobIds: readonly string[]): Promise<string[]>;
  /** Looks at up to `maxKeys` keys that are due; returns the jobs to wake, with their keys. */
  sweep(maxKeys: number): Promise<Array<{ key: FlowKey; jobId: string }>>;
  setPaused(key: FlowKey, paused: boolean): Promise<string[]>;
  list(maxKeys: number): Promise<KeyView[]>;
  /**
   * Changes a key's own limits, `limits` being the operator's for it; returns the jobs to wake
   * (a limit raised), or 'full' when LIMITED_KEYS_MAX keys hold limits already.
   */
  setLimits(key: FlowKey, change: LimitsChange, limits: KeyLimits): Promise<string[] | 'full'>;
  /** One key's facts, or undefined when flow control holds nothing for it. */
  detail(key: FlowKey): Promise<KeyDetail | undefined>;
}

/** Flow keys that may hold limits of their own at once; a key's lapse with the rest of its state. */
export const LIMITED_KEYS_MAX = 10_000;

/**
 * How long a flow key's state outlives its last use (at least twice the lock duration, and
 * past any cooldown or rate reservation it holds): what an unused key is remembered for.
 */
export const FLOW_IDLE_MS = 3_600_000;

/** Flow-control state in Redis, under the prefix's flow keys (@knocker/keys). */
export function createFlowStore(redis: Connection, prefix: string, opts: { idleMs?: number; limitedMax?: number } = {}): FlowStore {
  const idle = opts.idleMs ?? FLOW_IDLE_MS;
  const limitedMax = opts.limitedMax ?? LIMITED_KEYS_MAX;
  // Before the first command: on a cluster, ioredis' auto-pipelining fails a script defined
  // while a pipeline made before it waits (see defineScripts).
  defineScripts(redis, Object.values(SCRIPTS));
  const { index, limited, keyBase, parts: partsOf, part } = flowKeys(prefix);
  const strings = (reply: unknown): string[] => (reply as unknown[]).map(String);

  return {
    async acquire(key, jobId, order, limits, lockMs, track, own) {
      const mine = own === undefined ? ['', '', ''] : [own.parallelism, own.rate, own.periodMs];
      const [verdict, detail, tracked, ...woken] = strings(await runScript(redis, SCRIPTS.acquire, [...partsOf(key), index, limited],
        [jobId, order, limits.concurrency, intervalOf(limits), lockMs, track ? 1 : 0, key, idle, ...mine, limitedMax]));
      if (verdict === 'go') return { verdict, waitedMs: detail === '' ? undefined : Number(detail), woken, tracked: tracked === '1' };
      if (verdict === 'later') return { verdict, delayMs: Number(detail), woken };
      return { verdict: 'wait', reason: detail as 'queued', woken };
    },
    async parked(key, jobId) {
      return Number(await runScript(redis, SCRIPTS.parked, [part(key, 'parking')], [jobId])) === 1;
    },
    async renew(key, jobId, lockMs) {
      return Number(await runScript(redis, SCRIPTS.renew, partsOf(key), [jobId, lockMs, idle])) === 1;
    },
    async release(key, jobId, outcome, breaker) {
      const [change = '', ...woken] = strings(await runScript(redis, SCRIPTS.release, [...partsOf(key), index],
        [jobId, outcome === 'none' ? '' : outcome, breaker.failures, breaker.cooldownMs, breaker.cooldownMaxMs, key, idle]));
      return { change: change as '' | 'open' | 'closed', woken };
    },
    async drop(key, jobIds) {
      return strings(await runScript(redis, SCRIPTS.drop, [...partsOf(key), index], [key, idle, ...jobIds]));
    },
    async sweep(maxKeys) {
      const flat = strings(await runScript(redis, SCRIPTS.sweep, [index], [keyBase, maxKeys, idle]));
      const out: Array<{ key: FlowKey; jobId: string }> = [];
      for (let i = 0; i + 1 < flat.length; i += 2) out.push({ key: flat[i]!, jobId: flat[i + 1]! });
      return out;
    },
    async setPaused(key, paused) {
      return strings(await runScript(redis, SCRIPTS.pause, [...partsOf(key), index], [key, paused ? 1 : 0, idle]));
    },
    async list(maxKeys) {
      const [now, ...rest] = (await runScript(redis, SCRIPTS.list, [index], [keyBase, maxKeys])) as unknown[];
      const views: KeyView[] = [];
      for (let i = 0; i + 3 < rest.length; i += 4) {
        views.push(viewOf(String(rest[i]), Number(rest[i + 1]), Number(rest[i + 2]), fieldsOf(rest[i + 3]), Number(now)));
      }
      return views;
    },
    async setLimits(key, change, limits) {
      const values = change.kind === 'unpin' ? [change.parallelism ? '1' : '', change.rate ? '1' : '', '']
        : change.kind === 'reset' ? ['', '', ''] : [change.parallelism ?? '', change.rate ?? '', change.periodMs ?? 1000];
      const [status, ...woken] = strings(await runScript(redis, SCRIPTS.limits, [...partsOf(key), index, limited],
        [change.kind, key, idle, limitedMax, limits.concurrency, intervalOf(limits), ...values]));
      return status === 'full' ? 'full' : woken;
    },
    async detail(key) {
      const reply = (await runScript(redis, SCRIPTS.view, partsOf(key), [])) as unknown[];
      return reply.length === 0 ? undefined : detailOf(reply);
    },
  };
}

/** A rate in attempts per second as the ms between two attempts (0: no rate limit). */
const intervalOf = (limits: KeyLimits) => (limits.rate > 0 ? Math.max(1, Math.round(1000 / limits.rate)) : 0);
