import { describe, expect, it } from '@jest/globals';
import { decodeCursor, encodeCursor } from './cursor.js';

describe('listing cursors', () => {
  it('give back the position they were made of, for their state only', () => {
    const position = { last: '1700000000123', shards: { '{knocker}:1of3': { score: '1700000000123', jobId: 'req-a' }, '{knocker}:2of3': { score: '17', jobId: 'req-b' } } };
    const cursor = encodeCursor('failed', position);
    expect(decodeCursor(cursor, 'failed')).toEqual(position);
    expect(() => decodeCursor(cursor, 'delivered')).toThrow(/given by a listing of failed requests/);
  });

  it('refuse what no listing gave', () => {
    const of = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    for (const bad of ['', 'nope', of(['failed', '1 OR 2', []]), of(['failed', null, [['p', '(5', 'j']]]), of(['failed', null, {}]), 'x'.repeat(5000)]) {
      expect(() => decodeCursor(bad, 'failed')).toThrow(/not a cursor this Knocker gave/);
    }
  });
});
