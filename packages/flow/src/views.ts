import type { FlowKey } from '@knocker/protocol';

/** A flow key as GET /knocker/hosts lists it. */
export interface KeyView {
  key: FlowKey;
  in_flight: number;
  waiting: number;
  limits: { concurrency: number; rate: number } | null;
  paused: boolean;
  breaker: { state: 'closed' | 'open' | 'half-open'; consecutive_failures: number; trips: number; until: string | null };
}

/** GET /v2/flowControl/<key>'s facts: the limits applied, counts, pins. */
export interface KeyDetail {
  now: number;
  inFlight: number;
  waiting: number;
  /** The limits last applied (the stricter of the operator's and the key's own). */
  applied: { concurrency: number; intervalMs: number } | undefined;
  own: { parallelism: number; rate: number; periodMs: number; pinnedParallelism: boolean; pinnedRate: boolean } | undefined;
  paused: boolean;
  rate: { periodStart: number; count: number } | undefined;
}

/** A script's hash fields, flattened name/value pairs, as a map. */
export function fieldsOf(flat: unknown): Map<string, string> {
  const list = flat as string[];
  const out = new Map<string, string>();
  for (let j = 0; j + 1 < list.length; j += 2) out.set(list[j]!, list[j + 1]!);
  return out;
}

/** What view.lua answers, as GET /v2/flowControl/<key> reads it. */
export function detailOf([now, inFlight, waiting, state, limits]: unknown[]): KeyDetail {
  const st = fieldsOf(state);
  const own = fieldsOf(limits);
  const n = (m: Map<string, string>, f: string) => Number(m.get(f) ?? 0);
  return {
    now: Number(now), inFlight: Number(inFlight), waiting: Number(waiting),
    applied: st.has('conc') ? { concurrency: n(st, 'conc'), intervalMs: n(st, 'iv') } : undefined,
    own: own.size === 0 ? undefined : {
      parallelism: n(own, 'conc'), rate: n(own, 'rate'), periodMs: own.has('period') ? n(own, 'period') : 1000,
      pinnedParallelism: own.get('pinc') === '1', pinnedRate: own.get('pinr') === '1',
    },
    paused: st.get('paused') === '1',
    rate: st.has('pstart') ? { periodStart: n(st, 'pstart'), count: n(st, 'pcount') } : undefined,
  };
}

/** What list.lua answers for one key, as GET /knocker/hosts shows it. */
export function viewOf(key: string, inFlight: number, waiting: number, st: Map<string, string>, now: number): KeyView {
  const raw = st.get('breaker') ?? 'closed';
  const until = Number(st.get('until') ?? 0);
  const state = raw === 'probing' || (raw === 'open' && until <= now) ? 'half-open' : raw === 'open' ? 'open' : 'closed';
  const iv = Number(st.get('iv') ?? 0);
  return {
    key,
    in_flight: inFlight,
    waiting,
    limits: st.has('conc') ? { concurrency: Number(st.get('conc')), rate: iv > 0 ? Math.round(1_000_000 / iv) / 1000 : 0 } : null,
    paused: st.get('paused') === '1',
    breaker: {
      state, consecutive_failures: Number(st.get('fails') ?? 0), trips: Number(st.get('trips') ?? 0),
      until: state === 'open' ? new Date(until).toISOString() : null,
    },
  };
}
