import type { Connection } from './connection.js';

export interface Script {
  name: string;
  keys: number;
  lua: string;
}

type Runner = (...args: Array<string | number>) => Promise<unknown>;
const defined = new WeakMap<Connection, Set<string>>();

/**
 * Runs one of our Lua scripts. Each is defined on a connection once, so ioredis sends its
 * SHA rather than its text after the first call.
 */
export function runScript(redis: Connection, script: Script, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
  let names = defined.get(redis);
  if (!names) defined.set(redis, (names = new Set()));
  if (!names.has(script.name)) {
    redis.defineCommand(script.name, { numberOfKeys: script.keys, lua: script.lua });
    names.add(script.name);
  }
  return (redis as unknown as Record<string, Runner>)[script.name]!(...keys, ...args);
}
