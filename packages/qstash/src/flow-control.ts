import { QstashRequestError } from './errors.js';
import { countProblem, FLOW_PARALLELISM_MAX, FLOW_RATE_MAX, readPeriod, type FlowValue } from './flow-value.js';

type Query = Readonly<Record<string, unknown>>;

/** One query parameter given at most once, as text. */
function single(query: Query, name: string, errors: Record<string, string>): string | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    errors[name] = 'must be given once';
    return undefined;
  }
  return value;
}

/**
 * `POST /v2/flowControl/<key>/pin?parallelism=&rate=&period=`: the limits pinned, period in
 * seconds (the SDK sends a number; `1m` is read too). A period pins only with a rate.
 */
export function readPin(query: Query): FlowValue {
  const errors: Record<string, string> = {};
  const out: FlowValue = {};
  for (const [name, max] of [['parallelism', FLOW_PARALLELISM_MAX], ['rate', FLOW_RATE_MAX]] as const) {
    const raw = single(query, name, errors);
    if (raw === undefined) continue;
    const bad = countProblem(raw, max);
    if (bad === undefined) out[name] = Number(raw);
    else errors[name] = bad;
  }
  const period = single(query, 'period', errors);
  if (period !== undefined) {
    const seconds = readPeriod(period);
    if (typeof seconds === 'string') errors['period'] = seconds;
    else if (query['rate'] === undefined) errors['period'] = 'is pinned with a rate only: give rate too';
    else out.period = seconds;
  }
  if (Object.keys(errors).length === 0 && query['parallelism'] === undefined && query['rate'] === undefined) {
    errors['parallelism'] = 'or rate must be given: there is nothing to pin';
  }
  if (Object.keys(errors).length > 0) throw new QstashRequestError(errors);
  return out;
}

/** `POST /v2/flowControl/<key>/unpin?parallelism=true&rate=false`: which pins to take off. */
export function readUnpin(query: Query): { parallelism: boolean; rate: boolean } {
  const errors: Record<string, string> = {};
  const flag = (name: string) => {
    const raw = single(query, name, errors);
    if (raw === undefined || raw === 'false') return false;
    if (raw === 'true') return true;
    errors[name] = 'must be true or false';
    return false;
  };
  const out = { parallelism: flag('parallelism'), rate: flag('rate') };
  if (Object.keys(errors).length > 0) throw new QstashRequestError(errors);
  return out;
}

/** What flow control knows of a key (@knocker/flow's KeyDetail), as far as QStash's answer needs it. */
export interface FlowFacts {
  now: number;
  inFlight: number;
  waiting: number;
  own: { parallelism: number; rate: number; periodMs: number; pinnedParallelism: boolean; pinnedRate: boolean } | undefined;
  paused: boolean;
  rate: { periodStart: number; count: number } | undefined;
}

/**
 * `GET /v2/flowControl/<key>`: the limits that apply, the stricter of the operator's
 * (HOST_LIMITS and its defaults, per second) and the key's own, with counts and pins.
 */
export function flowControlInfo(key: string, facts: FlowFacts, operator: { concurrency: number; rate: number }): Record<string, unknown> {
  const own = facts.own;
  const ownConc = own?.parallelism ?? 0;
  const parallelismMax = ownConc > 0 && (operator.concurrency === 0 || ownConc < operator.concurrency) ? ownConc : operator.concurrency;
  // Compared as the time between two attempts, as the workers compare them.
  const ownGap = own && own.rate > 0 ? Math.ceil(own.periodMs / own.rate) : 0;
  const operatorGap = operator.rate > 0 ? Math.max(1, Math.round(1000 / operator.rate)) : 0;
  const byOwn = ownGap > 0 && ownGap >= operatorGap;
  const rateMax = byOwn ? own!.rate : operator.rate;
  const periodMs = byOwn ? own!.periodMs : 1000;
  const current = facts.rate !== undefined && facts.now < facts.rate.periodStart + periodMs;
  return {
    flowControlKey: key,
    waitListSize: facts.waiting,
    parallelismMax,
    parallelismCount: facts.inFlight,
    rateMax,
    rateCount: current ? facts.rate!.count : 0,
    ratePeriod: periodMs / 1000,
    ratePeriodStart: Math.floor((current ? facts.rate!.periodStart : facts.now) / 1000),
    isPaused: facts.paused,
    isPinnedParallelism: own?.pinnedParallelism ?? false,
    isPinnedRate: own?.pinnedRate ?? false,
  };
}
