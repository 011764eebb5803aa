import http from 'node:http';
import https from 'node:https';
import type { RoutedAgents } from '@knocker/egress';

/**
 * Bytes of an answer's body read past what is kept, and thrown away, so that a connection whose
 * answer was small goes back to the keep-alive pool; past it the connection is closed instead.
 */
export const DRAIN_MAX = 64 * 1024;

/** The attempt's time ran out; the message says in which step. */
export class DeadlineError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(ms: number, step: string) {
    super(`timeout after ${ms} ms, ${step}`);
    this.name = 'DeadlineError';
  }
}

/**
 * One attempt's clock: a single timer for every connection, redirect, answer and body the attempt
 * goes through, so that a target cannot stretch an attempt past Knocker-Timeout by redirecting
 * or by sending its answer a byte at a time.
 */
export class Deadline {
  private readonly timer: NodeJS.Timeout;
  private abort: ((err: Error) => void) | undefined;
  expired = false;

  constructor(readonly ms: number) {
    this.timer = setTimeout(() => {
      this.expired = true;
      this.abort?.(this.error());
    }, ms);
  }

  /** What the attempt is doing, for the timeout's message. */
  step = 'waiting for the answer';
  /** Redirects followed so far. */
  redirects = 0;

  error(): DeadlineError {
    return new DeadlineError(this.ms, this.redirects === 0 ? this.step : `${this.step} after ${this.redirects} redirects`);
  }

  /** Ends the exchange in progress when time runs out. */
  watch(abort: (err: Error) => void): void {
    this.abort = abort;
  }

  clear(): void {
    clearTimeout(this.timer);
    this.abort = undefined;
  }
}

/** An answer: status and headers, and at most the bytes of its body that were asked for. */
export interface Reply {
  res: http.IncomingMessage;
  /** Undefined when nothing of the body was asked for. */
  body: Buffer | undefined;
  /** The body went on past the bytes kept. */
  truncated: boolean;
}

/** What one hop sends: the header lines as Node writes them (name, value, name, value…). */
export interface Hop {
  url: URL;
  method: string;
  headers: string[];
  body: Buffer;
}

/**
 * Sends one request and reads its answer, never more of the body than `keepOf` asks for plus
 * DRAIN_MAX. Resolves once the body ended or was cut; rejects on a connection error, on a body
 * that broke off, or when the deadline passes.
 */
export function exchange(agents: RoutedAgents, deadline: Deadline, hop: Hop, keepOf: (res: http.IncomingMessage) => number): Promise<Reply> {
  return new Promise<Reply>((resolve, reject) => {
    let settled = false;
    let res: http.IncomingMessage | undefined;
    let keep = 0;
    let seen = 0;
    let kept: Buffer | undefined;
    let keptLength = 0;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(err);
    };
    const finish = (cut: boolean): void => {
      if (settled) return;
      settled = true;
      if (cut) res?.destroy();
      resolve({ res: res as http.IncomingMessage, body: kept === undefined ? undefined : kept.subarray(0, keptLength), truncated: seen > keep });
    };
    const onData = (chunk: Buffer): void => {
      seen += chunk.length;
      if (keptLength < keep) {
        const take = Math.min(chunk.length, keep - keptLength);
        kept = room(kept, keptLength, take, keep);
        chunk.copy(kept, keptLength, 0, take);
        keptLength += take;
      }
      if (seen > keep + DRAIN_MAX) finish(true);
    };
    const onAnswer = (answer: http.IncomingMessage): void => {
      res = answer;
      keep = keepOf(answer);
      if (keep > 0) kept = Buffer.alloc(0);
      deadline.step = 'reading the answer\'s body';
      answer.on('data', onData);
      answer.on('end', () => finish(false));
      answer.on('error', fail);
      answer.on('close', () => {
        if (!answer.complete) fail(Object.assign(new Error('the answer broke off'), { code: 'ECONNRESET' }));
      });
    };

    const { url, method, headers, body } = hop;
    const https_ = url.protocol === 'https:';
    const req = (https_ ? https : http).request(url, { method, headers, agent: agents.forUrl?.(url) ?? (https_ ? agents.https : agents.http) }, onAnswer);
    req.on('error', fail);
    if (deadline.expired) return fail(deadline.error());
    deadline.step = 'waiting for the answer';
    deadline.watch(fail);
    req.end(body.length > 0 ? body : undefined);
  });
}

/** A buffer with room for `more` bytes after `used`, grown by doubling up to `max`. */
function room(buf: Buffer | undefined, used: number, more: number, max: number): Buffer {
  if (buf !== undefined && buf.length >= used + more) return buf;
  const grown = Buffer.allocUnsafe(Math.min(max, Math.max(used + more, 2 * (buf?.length ?? 0), 16 * 1024)));
  buf?.copy(grown, 0, 0, used);
  return grown;
}
