import type { HttpReply } from './http.js';
import type { Recorded } from './target.js';
import { sleep } from './wait.js';

export interface CanaryOptions {
  /** Sends one ordinary request with this Knocker-Id. */
  send: (id: string) => Promise<HttpReply>;
  /** Where the ordinary requests are delivered. */
  requests: () => readonly Recorded[];
  /** Between one request's answer and the next request. Default 250. */
  everyMs?: number;
  /** Ids are `<idPrefix>-<n>`. */
  idPrefix: string;
}

export interface CanaryReport {
  sent: number;
  accepted: number;
  /** Statuses of the requests the api did not accept (or `error` when it did not answer). */
  refused: string[];
  delivered: number;
  /** Accepted but not delivered within the bound. */
  late: string[];
  /** The longest time from an accepted answer to delivery, of those delivered. */
  worstMs: number;
}

export interface Canary {
  /** Stops sending; then waits until every accepted request is delivered, `boundMs` after its acceptance at most, or `giveUp` says so. */
  end(boundMs: number, giveUp?: () => boolean): Promise<CanaryReport>;
}

/** Ordinary requests sent one after another while an attack runs, to show that delivery goes on. */
export function startCanary(opts: CanaryOptions): Canary {
  const accepted = new Map<string, number>();
  const refused: string[] = [];
  let sent = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const id = `${opts.idPrefix}-${++sent}`;
      const reply = await opts.send(id).catch(() => undefined);
      if (reply !== undefined && reply.status >= 200 && reply.status < 300) accepted.set(id, Date.now());
      else refused.push(reply === undefined ? 'error' : String(reply.status));
      await sleep(opts.everyMs ?? 250);
    }
  })();
  return {
    async end(boundMs, giveUp = () => false) {
      running = false;
      await loop;
      const deadline = Math.max(0, ...accepted.values()) + boundMs;
      for (;;) {
        const delivered = deliveredAt(opts.requests());
        if ([...accepted.keys()].every((id) => delivered.has(id)) || Date.now() > deadline || giveUp()) {
          // Whatever is not delivered by now counts as late, even if its bound has not passed.
          return { ...canaryReport(accepted, delivered, boundMs, Infinity), sent, refused };
        }
        await sleep(100);
      }
    },
  };
}

/** When each request id (its x-knocker-id) first arrived. */
function deliveredAt(requests: readonly Recorded[]): Map<string, number> {
  const at = new Map<string, number>();
  for (const r of requests) {
    const id = r.headers['x-knocker-id'];
    if (typeof id === 'string' && !at.has(id)) at.set(id, r.at);
  }
  return at;
}

/** Which accepted requests were delivered, and which not within `boundMs` of their acceptance (as of `now`). */
export function canaryReport(accepted: ReadonlyMap<string, number>, delivered: ReadonlyMap<string, number>, boundMs: number, now: number): CanaryReport {
  const late: string[] = [];
  let count = 0;
  let worstMs = 0;
  for (const [id, at] of accepted) {
    const arrived = delivered.get(id);
    if (arrived !== undefined) {
      count++;
      worstMs = Math.max(worstMs, arrived - at);
      if (arrived - at > boundMs) late.push(id);
    } else if (now - at > boundMs) late.push(id);
  }
  return { sent: accepted.size, accepted: accepted.size, refused: [], delivered: count, late, worstMs };
}

/** What went wrong with the ordinary requests, in words; empty when all were accepted and delivered in time. */
export function canaryViolations(r: CanaryReport, boundMs: number): string[] {
  const out: string[] = [];
  if (r.accepted === 0) out.push('canary: no ordinary request was accepted');
  if (r.refused.length > 0) out.push(`canary: ${r.refused.length} of ${r.sent} ordinary requests refused (${r.refused.slice(0, 5).join(', ')})`);
  if (r.late.length > 0) out.push(`canary: ${r.late.length} of ${r.accepted} ordinary requests not delivered within ${boundMs} ms (delivered ${r.delivered})`);
  return out;
}
