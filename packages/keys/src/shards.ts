import { crc32 } from 'node:zlib';
import calculateSlot from 'cluster-key-slot';
import { shardIdOf } from './names.js';

/** Redis Cluster's hash slots: a key's slot is CRC16 of its hash tag, modulo this. */
export const SLOTS = 16384;
export const MAX_SHARDS = 16;

/** The part of a prefix Redis Cluster hashes: the text between the first `{` and the next `}`. */
function splitHashTag(prefix: string): { head: string; tag: string; tail: string } {
  const open = prefix.indexOf('{');
  const close = open === -1 ? -1 : prefix.indexOf('}', open + 1);
  // Redis hashes the whole key when the braces are missing or empty; so do we.
  if (open === -1 || close <= open + 1) return { head: '', tag: prefix, tail: '' };
  return { head: prefix.slice(0, open + 1), tag: prefix.slice(open + 1, close), tail: prefix.slice(close) };
}

export function slotOf(prefix: string): number {
  return calculateSlot(prefix);
}

const layouts = new Map<string, readonly string[]>();

/**
 * The key prefixes of a layout of `count` shards. One shard is the prefix itself, so a
 * single-shard deployment keeps the keys it always had. With more, shard i's hash tag is
 * `<tag>-<i>of<count>` (plus `.<k>`, the first k that works) and hashes to a slot near the
 * middle of the i-th of `count` equal slot ranges. A master of an evenly split cluster owns
 * a range at least 1/count wide whenever count >= masters, and such a range always holds
 * one of those middles: every master gets shards. Resharding a cluster moves slots between
 * masters, never keys between slots, so a shard stays whole wherever its slot goes.
 * The names depend on the count: another count is another layout (see the layouts registry).
 */
export function shardPrefixes(prefix: string, count: number): readonly string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS) throw new RangeError(`shard count must be 1 to ${MAX_SHARDS}, got ${count}`);
  const memo = `${count} ${prefix}`;
  let found = layouts.get(memo);
  if (found) return found;
  if (count === 1) found = [prefix];
  else {
    const { head, tag, tail } = splitHashTag(prefix);
    const width = SLOTS / count;
    // Close enough to the middle that a master owning slightly more than one range (fewer
    // masters than shards) still holds a whole window; found in about count² tries.
    const window = Math.max(1, width / (2 * count));
    found = Array.from({ length: count }, (_, i) => {
      const middle = (i + 0.5) * width;
      for (let k = 0; ; k++) {
        const candidate = `${head}${tag}-${i}of${count}${k === 0 ? '' : `.${k}`}${tail}`;
        if (Math.abs(slotOf(candidate) - middle) <= window) return candidate;
      }
    });
  }
  layouts.set(memo, found);
  return found;
}

/**
 * Which of `count` shards holds the request with this id: Lamping and Veach's jump
 * consistent hash, seeded with the id's CRC-32. Any process computes the same shard, so a
 * route that takes an id reads one shard; and going from n to n+1 shards moves only the
 * ids that land on the new one (1/(n+1) of them). The copies of a group request hash as
 * their group request's id (`shardIdOf`): one transaction stores them all.
 */
export function shardIndexOf(id: string, count: number): number {
  if (count <= 1) return 0;
  let state = crc32(shardIdOf(id)) >>> 0;
  let b = -1;
  let j = 0;
  while (j < count) {
    b = j;
    // mulberry32: a uniform draw in (0, 1] from the id's own sequence.
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const r = (((t ^ (t >>> 14)) >>> 0) + 1) / 0x1_0000_0000;
    j = Math.floor((b + 1) / r);
  }
  return b;
}
