import { InvalidRequestError } from '@knocker/protocol';
import type { ListedState, ScanPosition } from './scan.js';

// A cursor names a place in one shard per shard layout at most; more than this is not one of ours.
const CURSOR_MAX_CHARS = 4096;

/** A listing's position as the opaque cursor callers pass back; it says which state it walks. */
export function encodeCursor(state: ListedState, p: ScanPosition): string {
  const shards = Object.entries(p.shards).map(([prefix, s]) => [prefix, s.score, s.jobId]);
  return Buffer.from(JSON.stringify([state, p.last ?? null, shards])).toString('base64url');
}

/** The position a cursor names; a cursor this store did not give, or gave for another state, is the caller's mistake. */
export function decodeCursor(cursor: string, state: ListedState): ScanPosition {
  let problem = 'is not a cursor this Knocker gave: pass back the one a listing answered';
  if (cursor.length <= CURSOR_MAX_CHARS) {
    try {
      const [given, last, shards] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
      if (typeof given === 'string' && given !== state) problem = `was given by a listing of ${given} requests, not ${state} ones`;
      else if (given === state && (last === null || isScore(last)) && Array.isArray(shards) && shards.every(isShardEntry)) {
        const out: Record<string, { score: string; jobId: string }> = {};
        for (const [prefix, score, jobId] of shards as Array<[string, string, string]>) out[prefix] = { score, jobId };
        return { last: last ?? undefined, shards: out };
      }
    } catch {
      // Refused below, as any other cursor that is not one of ours.
    }
  }
  throw new InvalidRequestError({ cursor: problem });
}

const isScore = (v: unknown): v is string => typeof v === 'string' && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(v);
const isShardEntry = (v: unknown): boolean =>
  Array.isArray(v) && v.length === 3 && typeof v[0] === 'string' && isScore(v[1]) && typeof v[2] === 'string' && v[2].length <= 200;
