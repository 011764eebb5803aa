/** DELAY_MAX when a caller does not set one: QStash's longest delay on its paid plans. */
export const DEFAULT_DELAY_MAX_SECONDS = 7 * 24 * 3600;

const PLAIN = /^(\d+(\.\d*)?|\.\d+)$/;
// Units largest first, each at most once: `1h30m`, never `30m1h` or `1h1h`.
const UNITS = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/;
const SECONDS_PER = [86_400, 3_600, 60, 1] as const;

/**
 * Reads a duration: plain seconds (`90`, `1.5`) or units (`30s`, `5m`, `2h`, `1d`, `1h30m`).
 * Returns seconds, or undefined when the text is neither.
 */
export function parseDuration(raw: string): number | undefined {
  const text = raw.trim().toLowerCase();
  if (PLAIN.test(text)) return Number(text);
  const parts = text === '' ? null : UNITS.exec(text);
  if (!parts) return undefined;
  let total = 0;
  SECONDS_PER.forEach((unit, i) => {
    const value = parts[i + 1];
    if (value !== undefined) total += Number(value) * unit;
  });
  return Number.isFinite(total) ? total : undefined;
}

export interface DelayHeaders {
  delay: string | undefined;
  notBefore: string | undefined;
}

/**
 * When the first attempt may start, in ms since the epoch, from `Knocker-Delay` and
 * `Knocker-Not-Before` (which wins). Undefined when neither is given; problems are written to
 * `errors` under the header's name. A time in the past means now.
 */
export function readNotBefore(given: DelayHeaders, now: number, maxSeconds: number, errors: Record<string, string>): number | undefined {
  const latest = now + maxSeconds * 1000;
  let at: number | undefined;
  if (given.delay !== undefined) {
    const seconds = parseDuration(given.delay);
    if (seconds === undefined) {
      errors['knocker-delay'] = `must be seconds (90, 1.5) or a duration (30s, 5m, 2h, 1d, 1h30m), got ${JSON.stringify(given.delay)}`;
    } else if (seconds > maxSeconds) {
      errors['knocker-delay'] = `must be at most ${maxSeconds} seconds (DELAY_MAX), got ${JSON.stringify(given.delay)}`;
    } else {
      at = now + Math.round(seconds * 1000);
    }
  }
  if (given.notBefore !== undefined) {
    const raw = given.notBefore.trim();
    const seconds = PLAIN.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isFinite(seconds)) {
      errors['knocker-not-before'] = `must be a unix time in seconds, got ${JSON.stringify(given.notBefore)}`;
    } else if (seconds * 1000 > latest) {
      errors['knocker-not-before'] = `must be at most ${maxSeconds} seconds from now (DELAY_MAX), got ${JSON.stringify(given.notBefore)}`;
    } else {
      at = Math.max(now, Math.round(seconds * 1000));
    }
  }
  return at;
}
