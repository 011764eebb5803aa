import type { HttpReply } from './http.js';
import type { Recorded } from './target.js';

export interface LoadTally {
  sent: number;
  /** Ids answered 2xx: each must end delivered or reported failed. */
  accepted: string[];
  /** Ids answered something else, or nothing (`error`). */
  refused: string[];
  statuses: Record<string, number>;
  /** The slowest 503, in ms: the api must answer fast while Redis is away. */
  slowest503Ms: number;
}

export interface LoadOptions {
  /** Requests to send in all (the load stops earlier when `until` says so). */
  count: number;
  concurrency: number;
  /** Sends request `i`, whose id is `id(i)`. */
  send: (i: number) => Promise<HttpReply>;
  id: (i: number) => string;
  /** Called after every answer, with the tally so far: the place to inject a fault. */
  onAnswer?: (tally: LoadTally) => void;
  /** Stops the load early when true. */
  until?: () => boolean;
}

/** A bounded load from a few concurrent loops, counting what the api answered. */
export async function runLoad(opts: LoadOptions): Promise<LoadTally> {
  const tally: LoadTally = { sent: 0, accepted: [], refused: [], statuses: {}, slowest503Ms: 0 };
  let next = 0;
  const loop = async () => {
    while (next < opts.count && !opts.until?.()) {
      const i = next++;
      tally.sent++;
      let key: string;
      try {
        const reply = await opts.send(i);
        key = String(reply.status);
        if (reply.status === 503) tally.slowest503Ms = Math.max(tally.slowest503Ms, reply.ms);
        (reply.status >= 200 && reply.status < 300 ? tally.accepted : tally.refused).push(opts.id(i));
      } catch {
        key = 'error';
        tally.refused.push(opts.id(i));
      }
      tally.statuses[key] = (tally.statuses[key] ?? 0) + 1;
      opts.onAnswer?.(tally);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, loop));
  return tally;
}

export interface Outcome {
  accepted: number;
  delivered: number;
  /** Deliveries beyond the first, summed over ids. */
  duplicates: number;
  /** Accepted, reported failed through the callback. */
  calledBack: number;
  /** Accepted, yet neither delivered nor called back. */
  lost: string[];
  /** Not answered 2xx, delivered all the same (a write that completed after its 503 or reset). */
  deliveredUnanswered: number;
}

/**
 * Counts, per id, the deliveries a target recorded and the callbacks received.
 * `idOf` reads the id back from a recorded request (`undefined` for foreign traffic).
 */
export function outcome(tally: LoadTally, deliveries: readonly Recorded[], callbacks: readonly Recorded[], idOf: (r: Recorded) => string | undefined, ok: (r: Recorded) => boolean = () => true): Outcome {
  const delivered = new Map<string, number>();
  for (const r of deliveries) {
    const id = idOf(r);
    if (id !== undefined && ok(r)) delivered.set(id, (delivered.get(id) ?? 0) + 1);
  }
  const calledBack = new Set(callbacks.map((r) => (JSON.parse(r.body.toString()) as { config: { id: string } }).config.id));
  const accepted = new Set(tally.accepted);
  return {
    accepted: accepted.size,
    delivered: tally.accepted.filter((id) => delivered.has(id)).length,
    duplicates: [...delivered.values()].reduce((sum, n) => sum + n - 1, 0),
    calledBack: tally.accepted.filter((id) => calledBack.has(id)).length,
    lost: tally.accepted.filter((id) => !delivered.has(id) && !calledBack.has(id)),
    deliveredUnanswered: [...delivered.keys()].filter((id) => !accepted.has(id)).length,
  };
}
