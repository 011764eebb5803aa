import { describe, expect, it } from '@jest/globals';
import { attemptRecord, storedAttempt } from './attempts.js';
import type { AttemptRecord } from './jobs.js';

const record = (over: Partial<AttemptRecord> = {}): AttemptRecord => ({
  attempt: 3, started_at: '2026-12-03T14:00:00.123Z', duration_ms: 41, status_code: 500,
  error: 'HTTP 500', error_code: null, error_message: null, ...over,
});

describe('stored attempts', () => {
  it('read back as the record they were made from', () => {
    for (const r of [record(), record({ error: null, status_code: 200 }), record({ error_code: 'busy', error_message: null }),
      record({ error_code: 'busy', error_message: 'try later' }), record({ error: 'target reported x', error_code: null, error_message: 'odd' })]) {
      expect(attemptRecord(storedAttempt(r))).toEqual(r);
    }
  });

  it('leave trailing nulls out, so a plain failure is a few numbers and its reason', () => {
    expect(JSON.stringify(storedAttempt(record()))).toBe('[3,1796306400123,41,500,"HTTP 500"]');
    expect(storedAttempt(record({ error: null }))).toHaveLength(4);
  });

  it('pass the keyed record of older jobs through', () => {
    const r = record();
    expect(attemptRecord(r)).toBe(r);
  });
});
