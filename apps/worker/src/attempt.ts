import { RequestError } from 'got';
import type { HeaderPair, TargetError } from '@knocker/protocol';
import type { AttemptRecord } from '@knocker/queue';

/** The outcome of one HTTP call to a target or a callback URL. */
export interface Attempt {
  ok: boolean;
  /** The HTTP status, or Knocker's code for a call that got none (502, 503, 504, 999). */
  statusCode: number;
  /** Date.now() when the call started. */
  startedAt: number;
  durationMs: number;
  /** Why the call failed, for logs and the job's failed reason. */
  error?: string;
  /** Knocker's own reason, when the call was never made: retrying cannot help. */
  code?: 'address_refused';
  /** An error the answer reported in Knocker-Error-Code / Knocker-Error-Message. */
  targetError?: TargetError;
  /** The call got no answer at all (refused, reset, timed out): `network` in Knocker-Retry-On. */
  network?: true;
  /** The answer said `Knocker-No-Retry: true`. */
  noRetry?: true;
  /** `Retry-After` of a 429 or 503 answer, as sent. */
  retryAfter?: string;
  /** A successful answer, kept when the call asked for it (a success callback reports it). */
  answer?: CapturedAnswer;
}

export interface CapturedAnswer {
  headers: HeaderPair[];
  /** At most the bytes asked for. */
  body: Buffer;
  truncated: boolean;
}

/** How an attempt is kept with its request, for the inspection route. */
export function recordOf(attempt: Attempt, n: number): AttemptRecord {
  return {
    attempt: n,
    started_at: new Date(attempt.startedAt).toISOString(),
    duration_ms: attempt.durationMs,
    status_code: attempt.statusCode,
    error: attempt.error ?? null,
    error_code: attempt.targetError?.code ?? null,
    error_message: attempt.targetError?.message ?? null,
  };
}

export const ADDRESS_REFUSED = 'ERR_ADDRESS_REFUSED';

const REFUSED_OR_RESET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * Knocker's status code for a call that ended without a usable answer: 502 for a refused or
 * reset connection, 504 for a timeout, 503 for other network errors, 403 when the address
 * policy refused the target, 999 for anything else.
 */
export function failureStatusCode(err: unknown): number {
  if (!(err instanceof RequestError)) return 999;
  // The address policy forbade the connection: nothing was sent.
  if (err.code === ADDRESS_REFUSED) return 403;
  if (err.name === 'TimeoutError' || err.code === 'ETIMEDOUT') return 504;
  if (err.name === 'MaxRedirectsError') return err.response?.statusCode ?? 999;
  if (REFUSED_OR_RESET.has(err.code)) return 502;
  if (/^E[A-Z_]+$/.test(err.code) || err.name === 'ReadError') return 503;
  return 999;
}
