import type { AttemptRecord } from './jobs.js';

/**
 * A failed attempt as its job keeps it: attempt, start (ms since the epoch), duration (ms),
 * status, then Knocker's reason and the target's error code and message, trailing nulls left
 * out. The keyed record the inspection route shows costs about 150 bytes of Redis an attempt;
 * this about 40, which is what a request waiting out an outage grows by with each retry.
 */
export type StoredAttempt = [number, number, number, number, (string | null)?, (string | null)?, (string | null)?];

export function storedAttempt(r: AttemptRecord): StoredAttempt {
  const stored: StoredAttempt = [r.attempt, Date.parse(r.started_at), r.duration_ms, r.status_code, r.error, r.error_code, r.error_message];
  while (stored.length > 4 && stored[stored.length - 1] === null) stored.pop();
  return stored;
}

/** Either form: jobs stored before the compact one keep the keyed record. */
export function attemptRecord(s: StoredAttempt | AttemptRecord): AttemptRecord {
  if (!Array.isArray(s)) return s;
  const [attempt, startedAt, duration, status, error = null, code = null, message = null] = s;
  return {
    attempt, started_at: new Date(startedAt).toISOString(), duration_ms: duration, status_code: status,
    error, error_code: code, error_message: message,
  };
}
