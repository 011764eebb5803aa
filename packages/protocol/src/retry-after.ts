// An HTTP date starts with the day's name (IMF-fixdate, RFC 850 and asctime forms alike);
// Date.parse alone would also read things like "1.5" as dates.
const HTTP_DATE = /^[A-Za-z]{3}/;

/**
 * Reads a `Retry-After` value (RFC 9110 §10.2.3): whole seconds, or an HTTP date. Returns the
 * wait in milliseconds from `nowMs` (0 for a date already past), or undefined when unreadable.
 */
export function readRetryAfter(value: string, nowMs: number): number | undefined {
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!HTTP_DATE.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - nowMs) : undefined;
}
