/** A key's own limits as QStash gives them: at most `parallelism` at once, `rate` per `period` seconds. */
export interface FlowValue {
  parallelism?: number;
  rate?: number;
  period?: number;
}

/** The bounds of a key's own limits: Knocker's rate cannot space attempts closer than 1 ms. */
export const FLOW_PARALLELISM_MAX = 100_000;
export const FLOW_RATE_MAX = 1_000_000;
/** Seconds: a longer period would hold a rate reservation longer than anything else Knocker keeps. */
export const FLOW_PERIOD_MAX = 7 * 86_400;
const VALUE_MAX_CHARS = 256;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const PART = /^(parallelism|rate|period)=(\d{1,9})([smhd]?)$/;

/** A whole number in [1, max], or what is wrong with it. */
export function countProblem(raw: string, max: number): string | undefined {
  return /^\d{1,9}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= max ? undefined : `must be a whole number from 1 to ${max}`;
}

/** A period: seconds, or a number with s, m, h or d; in seconds, or what is wrong with it. */
export function readPeriod(raw: string): number | string {
  const m = /^(\d{1,9})([smhd]?)$/.exec(raw);
  const seconds = m ? Number(m[1]) * UNITS[m[2] || 's']! : 0;
  return seconds >= 1 && seconds <= FLOW_PERIOD_MAX ? seconds : `must be 1s to ${FLOW_PERIOD_MAX / 86_400}d (a number of seconds, or with s, m, h or d)`;
}

/**
 * Reads `Upstash-Flow-Control-Value` (`parallelism=2, rate=5, period=1m`, spaces or not):
 * the limits the message gives its key. Each part at most once; a period without a rate
 * limits nothing and is refused, as is a value that limits nothing.
 */
export function readFlowControlValue(raw: string, errors: Record<string, string>): FlowValue {
  const name = 'upstash-flow-control-value';
  const value: FlowValue = {};
  const parts = raw.split(',').map((p) => p.trim().toLowerCase());
  const problem = (why: string) => {
    errors[name] = why;
    return {};
  };
  if (raw.length > VALUE_MAX_CHARS) return problem(`must be at most ${VALUE_MAX_CHARS} characters`);
  for (const part of parts) {
    const m = PART.exec(part);
    if (!m) return problem('must be parallelism=<n>, rate=<n> and/or period=<duration>, comma-separated');
    const [, field, digits, unit] = m as unknown as [string, keyof FlowValue, string, string];
    if (value[field] !== undefined) return problem(`gives ${field} twice`);
    if (field === 'period') {
      const seconds = readPeriod(`${digits}${unit}`);
      if (typeof seconds === 'string') return problem(`period ${seconds}`);
      value.period = seconds;
      continue;
    }
    const bad = unit === '' ? countProblem(digits, field === 'parallelism' ? FLOW_PARALLELISM_MAX : FLOW_RATE_MAX) : 'takes no unit';
    if (bad !== undefined) return problem(`${field} ${bad}`);
    value[field] = Number(digits);
  }
  if (value.parallelism === undefined && value.rate === undefined) return problem('must give parallelism or rate');
  if (value.period !== undefined && value.rate === undefined) return problem('gives a period without a rate');
  return value;
}
