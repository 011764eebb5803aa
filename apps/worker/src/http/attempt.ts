import { ERR_ADDRESS_REFUSED } from '@knocker/contract';
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
  /**
   * Knocker's own reason to end the request, retrying cannot help: the address policy or
   * HOSTS_ONLY refused the target, so nothing was sent; or the target redirected where Knocker
   * does not follow (another scheme, https to http, a host outside HOSTS_ONLY).
   */
  code?: 'address_refused' | 'redirect_refused';
  /** An error the answer reported in Knocker-Error-Code / Knocker-Error-Message. */
  targetError?: TargetError;
  /** Why a call got no answer, when the failure callback names it: `token_unavailable`, or a certificate's error code. */
  cause?: string;
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

const REFUSED_OR_RESET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ECONNABORTED']);

/**
 * Knocker's status code for a call that ended without a usable answer: 502 for a refused or
 * reset connection, 504 for a timeout, 503 for other network errors, 403 when the address
 * policy refused the target, 999 for anything else.
 */
export function failureStatusCode(err: unknown): number {
  const code = errorCode(err);
  if (code === undefined) return 999;
  // The address policy forbade the connection: nothing was sent.
  if (code === ERR_ADDRESS_REFUSED) return 403;
  if (code === 'ETIMEDOUT') return 504;
  if (code === 'token_unavailable') return 503;
  if (REFUSED_OR_RESET.has(code)) return 502;
  return /^E[A-Z_]+$/.test(code) ? 503 : 999;
}

/** The Node-style code of an error, read without instanceof: errors from Node's internals may come from another realm. */
export function errorCode(err: unknown): string | undefined {
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/** Keeps a successful answer for its success callback: headers in lower case, and the body as read (cut at the cap). */
export function captureAnswer(rawHeaders: readonly string[], body: Buffer | undefined, truncated: boolean): CapturedAnswer {
  const headers: HeaderPair[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) headers.push([(rawHeaders[i] as string).toLowerCase(), rawHeaders[i + 1] as string]);
  return { headers, body: body ?? Buffer.alloc(0), truncated };
}
