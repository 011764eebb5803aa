import { parseDuration } from '@knocker/config';

/** DELAY_MAX when a caller does not set one: QStash's longest delay on its paid plans. */
export const DEFAULT_DELAY_MAX_SECONDS = 7 * 24 * 3600;

const PLAIN = /^(\d+(\.\d*)?|\.\d+)$/;

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
