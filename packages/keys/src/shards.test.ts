import { describe, expect, it } from '@jest/globals';
import { groupCopyId, shardIdOf } from './names.js';
import { MAX_SHARDS, SLOTS, shardIndexOf, shardPrefixes, slotOf } from './shards.js';

// How `redis-cli --cluster create` splits the slots over n masters.
function masterOf(slot: number, masters: number): number {
  const per = SLOTS / masters;
  for (let m = 0; m < masters - 1; m++) if (slot <= Math.round((m + 1) * per) - 1) return m;
  return masters - 1;
}

describe('shardPrefixes', () => {
  it("keeps a single shard on today's prefix", () => {
    expect(shardPrefixes('{knocker}', 1)).toEqual(['{knocker}']);
  });

  it('never changes the names of a layout: renaming a shard strands its jobs', () => {
    expect(shardPrefixes('{knocker}', 3)).toEqual(['{knocker-0of3.41}', '{knocker-1of3.10}', '{knocker-2of3.4}']);
    expect(shardPrefixes('{knocker}', 2)).toEqual(['{knocker-0of2.1}', '{knocker-1of2}']);
  });

  it('puts every master of an evenly split cluster in charge of some shards, for any prefix', () => {
    for (const prefix of ['{knocker}', 'app:{jobs}:x', '{kt-test-0123abcd}']) {
      for (let count = 2; count <= MAX_SHARDS; count++) {
        const slots = shardPrefixes(prefix, count).map(slotOf);
        expect(new Set(slots.map((s) => Math.floor((s * count) / SLOTS))).size).toBe(count);
        for (let masters = 1; masters <= count; masters++) {
          expect(new Set(slots.map((s) => masterOf(s, masters))).size).toBe(masters);
        }
      }
    }
  });

  it('keeps the text around the hash tag', () => {
    expect(shardPrefixes('app:{jobs}:x', 2).every((p) => /^app:\{jobs-\dof2(\.\d+)?\}:x$/.test(p))).toBe(true);
    expect(shardPrefixes('plain', 2).every((p) => /^plain-\dof2(\.\d+)?$/.test(p))).toBe(true);
  });

  it('refuses counts out of range', () => {
    expect(() => shardPrefixes('{k}', 0)).toThrow(RangeError);
    expect(() => shardPrefixes('{k}', MAX_SHARDS + 1)).toThrow(RangeError);
  });
});

describe('shardIndexOf', () => {
  const ids = Array.from({ length: 30_000 }, (_, i) => `id-${i}`);

  it('is the same in every process', () => {
    expect(['a', 'b', 'req-1', 'x'].map((id) => shardIndexOf(id, 3))).toEqual([1, 0, 0, 0]);
    expect(shardIndexOf('anything', 1)).toBe(0);
  });

  it('spreads ids evenly', () => {
    for (const count of [2, 3, 7]) {
      const per = new Array<number>(count).fill(0);
      for (const id of ids) per[shardIndexOf(id, count)]! += 1;
      for (const n of per) expect(Math.abs(n - ids.length / count)).toBeLessThan(ids.length / count / 20);
    }
  });

  it('moves only the ids of the new shard when one is added', () => {
    const moved = ids.filter((id) => shardIndexOf(id, 3) !== shardIndexOf(id, 4));
    expect(moved.every((id) => shardIndexOf(id, 4) === 3)).toBe(true);
    expect(Math.abs(moved.length - ids.length / 4)).toBeLessThan(ids.length / 40);
  });
});

describe('the copies of a group request', () => {
  it('land on the shard of their group request, whatever the endpoint', () => {
    for (let i = 0; i < 200; i++) {
      const id = `order-${i}`;
      for (const count of [2, 3, 7, MAX_SHARDS]) {
        const home = shardIndexOf(id, count);
        for (const endpoint of ['a', 'billing', 'z-9']) expect(shardIndexOf(groupCopyId(id, endpoint), count)).toBe(home);
      }
    }
  });

  it('are told from their group request by the first ~~ only', () => {
    expect(shardIdOf('abc')).toBe('abc');
    expect(shardIdOf('abc~~x')).toBe('abc');
    expect(shardIdOf('a~b~~x~y')).toBe('a~b');
  });
});
