import { readFileSync } from 'node:fs';
import type { Connection } from './connection.js';

/**
 * A Lua script of a `.lua` file, with the number of its KEYS ('any': as many as each call
 * gives); `prelude` is prepended (shared functions).
 */
export interface Script {
  name: string;
  keys: number | 'any';
  file: URL;
  prelude?: URL;
}

type Runner = (...args: Array<string | number>) => Promise<unknown>;
const texts = new Map<string, string>();
const defined = new WeakMap<Connection, Set<string>>();

/** The script's text, read from its file once per process (the build copies the files beside the code). */
function textOf(script: Script): string {
  let text = texts.get(script.name);
  if (text === undefined) {
    text = [script.prelude, script.file].filter((f) => f !== undefined).map((f) => readFileSync(f, 'utf8')).join('\n');
    texts.set(script.name, text);
  }
  return text;
}

/**
 * Defines scripts on a connection, each once. Do it before the connection's first command: on
 * a cluster, ioredis' auto-pipelining queues commands in pipelines that know only the scripts
 * defined when they were made, so one defined while such a pipeline waits fails there.
 */
export function defineScripts(redis: Connection, scripts: readonly Script[]): void {
  let names = defined.get(redis);
  if (!names) defined.set(redis, (names = new Set()));
  for (const script of scripts) {
    if (names.has(script.name)) continue;
    redis.defineCommand(script.name, { ...(script.keys === 'any' ? {} : { numberOfKeys: script.keys }), lua: textOf(script) });
    names.add(script.name);
  }
}

/** Runs one of our Lua scripts; ioredis sends its SHA rather than its text after the first call. */
export function runScript(redis: Connection, script: Script, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
  defineScripts(redis, [script]);
  const commands = redis as unknown as Record<string, Runner>;
  return script.keys === 'any' ? commands[script.name]!(keys.length, ...keys, ...args) : commands[script.name]!(...keys, ...args);
}

const lua = (file: string) => new URL(`./lua/${file}`, import.meta.url);

/** The queue's scripts, each in src/lua. */
export const SCRIPTS = {
  claimId: { name: 'knockerClaimId', keys: 2, file: lua('claim-id.lua') },
  cancel: { name: 'knockerCancel', keys: 9, file: lua('cancel.lua'), prelude: lua('order-common.lua') },
  orderEnter: { name: 'knockerOrderEnter', keys: 2, file: lua('order-enter.lua'), prelude: lua('order-common.lua') },
  orderTurn: { name: 'knockerOrderTurn', keys: 2, file: lua('order-turn.lua'), prelude: lua('order-common.lua') },
  orderSettle: { name: 'knockerOrderSettle', keys: 1, file: lua('order-settle.lua') },
  orderLeave: { name: 'knockerOrderLeave', keys: 2, file: lua('order-leave.lua'), prelude: lua('order-common.lua') },
  orderSweep: { name: 'knockerOrderSweep', keys: 2, file: lua('order-sweep.lua'), prelude: lua('order-common.lua') },
  orderView: { name: 'knockerOrderView', keys: 2, file: lua('order-view.lua') },
  orderPause: { name: 'knockerOrderPause', keys: 3, file: lua('order-pause.lua'), prelude: lua('order-common.lua') },
  saveQstashQueue: { name: 'knockerSaveQstashQueue', keys: 1, file: lua('save-qstash-queue.lua') },
  beginReplay: { name: 'knockerBeginReplay', keys: 2, file: lua('begin-replay.lua') },
  appendLog: { name: 'knockerAppendLog', keys: 2, file: lua('append-log.lua') },
  recordFailure: { name: 'knockerRecordFailure', keys: 1, file: lua('record-failure.lua') },
  saveSchedule: { name: 'knockerSaveSchedule', keys: 2, file: lua('save-schedule.lua') },
  scheduleState: { name: 'knockerScheduleState', keys: 2, file: lua('schedule-state.lua') },
  saveGroup: { name: 'knockerSaveGroup', keys: 1, file: lua('save-group.lua') },
  groupEndpoint: { name: 'knockerGroupEndpoint', keys: 1, file: lua('group-endpoint.lua') },
  claimCopies: { name: 'knockerClaimCopies', keys: 'any', file: lua('claim-copies.lua') },
  recordTick: { name: 'knockerRecordTick', keys: 1, file: lua('record-tick.lua') },
  lease: { name: 'knockerLease', keys: 1, file: lua('lease.lua') },
  listPage: { name: 'knockerListPage', keys: 2, file: lua('list-page.lua') },
} as const satisfies Record<string, Script>;
