/** What a Knocker-Retry-On entry may name besides statuses and classes: an attempt that got no answer. */
export const NETWORK = 'network';

export const MAX_RETRY_ON_ENTRIES = 32;

const STATUS = /^[1-5]\d\d$/;
const CLASS = /^[1-5]xx$/;

/**
 * Reads `Knocker-Retry-On`: statuses (`429`), classes (`5xx`) and `network`, separated by
 * commas, case-insensitive. Returns the entries in lower case, repeats dropped, or what is wrong.
 */
export function parseRetryOn(raw: string): string[] | string {
  const entries = raw.split(',').map((e) => e.trim().toLowerCase()).filter((e) => e !== '');
  if (entries.length === 0) return 'must list at least one status, class or network, such as 5xx,429,network';
  if (entries.length > MAX_RETRY_ON_ENTRIES) return `must list at most ${MAX_RETRY_ON_ENTRIES} entries, got ${entries.length}`;
  const bad = entries.find((e) => e !== NETWORK && !STATUS.test(e) && !CLASS.test(e));
  if (bad !== undefined) return `has an invalid entry ${JSON.stringify(bad)}: expected a status from 100 to 599, a class such as 5xx, or network`;
  return [...new Set(entries)];
}

/**
 * True when a failed attempt may be retried under these entries. `status` is the answer's
 * status, or `network` for an attempt that got no answer (refused, reset, timed out).
 */
export function retriesOn(entries: readonly string[], status: number | typeof NETWORK): boolean {
  if (status === NETWORK) return entries.includes(NETWORK);
  const code = String(status);
  const klass = `${code[0]}xx`;
  return entries.includes(code) || entries.includes(klass);
}
