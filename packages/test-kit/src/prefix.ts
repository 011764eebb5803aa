import { randomBytes } from 'node:crypto';

const MAX_LENGTH = 64;
// "{kt-" + "-" + 8 hex + "}"
const FIXED_LENGTH = 14;

/**
 * A queue prefix no other test run shares, so tests can use the machine's
 * Redis side by side without flushing it. The braces make it a Redis Cluster
 * hash tag, which keeps every key of a queue on one slot.
 */
export function uniquePrefix(label = 'test'): string {
  const safe = label.replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, MAX_LENGTH - FIXED_LENGTH) || 'test';
  return `{kt-${safe}-${randomBytes(4).toString('hex')}}`;
}
