import { CronExpressionParser } from 'cron-parser';

/** A validated `Knocker-Cron`: the expression as given, and what it means. */
export interface CronSpec {
  /** The header's value, `CRON_TZ=` prefix included, as the client wrote it. */
  cron: string;
  /** 5 fields (minute precision) or 6 (seconds first). */
  pattern: string;
  /** An IANA zone in its canonical spelling; UTC unless a prefix says otherwise. */
  timezone: string;
}

// QStash's way of naming the zone, kept so its users' expressions work unchanged.
const PREFIX = /^CRON_TZ=(\S+)\s+(.*)$/s;

/** Checks a `Knocker-Cron` value; returns what is wrong with it as a string. */
export function parseCron(raw: string, now = new Date()): CronSpec | string {
  const cron = raw.trim();
  const prefixed = PREFIX.exec(cron);
  const pattern = (prefixed ? prefixed[2] ?? '' : cron).trim().replace(/\s+/g, ' ');
  const zone = prefixed ? prefixed[1] ?? '' : 'UTC';
  const timezone = canonicalZone(zone);
  if (timezone === undefined) return `names an unknown time zone ${JSON.stringify(zone)}: use an IANA name such as Europe/Paris`;
  const fields = pattern === '' ? 0 : pattern.split(' ').length;
  if (fields !== 5 && fields !== 6) {
    return `must have 5 fields (minute hour day month weekday) or 6 (seconds first), optionally after CRON_TZ=<zone>, got ${JSON.stringify(raw)}`;
  }
  try {
    // Parsed the way BullMQ's job schedulers parse it (the same cron-parser), and run once:
    // an expression that can never fire (30 February) is refused here rather than later.
    CronExpressionParser.parse(pattern, { tz: timezone, currentDate: now }).next();
  } catch (err) {
    return `is not a valid cron expression (${err instanceof Error ? err.message : String(err)}), got ${JSON.stringify(raw)}`;
  }
  return { cron, pattern, timezone };
}

/** The next `count` ticks after `from`. */
export function nextTicks(spec: Pick<CronSpec, 'pattern' | 'timezone'>, from: Date, count: number): Date[] {
  const interval = CronExpressionParser.parse(spec.pattern, { tz: spec.timezone, currentDate: from });
  return interval.take(count).map((d) => d.toDate());
}

function canonicalZone(zone: string): string | undefined {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}
