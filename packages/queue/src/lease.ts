import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Connection } from './connection.js';
import { runScript, SCRIPTS } from './scripts.js';

/**
 * True while this process holds the lease named `key`, taken when free and renewed while
 * held: one replica does what only one should (publish gauges read from Redis), and another
 * takes over within `leaseMs` after it disappears.
 */
export function createLease(redis: Connection, key: string, leaseMs: number): () => Promise<boolean> {
  const me = `${hostname()}:${process.pid}:${randomUUID()}`;
  return async () => Number(await runScript(redis, SCRIPTS.lease, [key], [me, leaseMs])) === 1;
}
