const PART = /^(parallelism|rate)=(\d{1,6})$|^period=(\d{1,7}[smhd]?)$/;

/**
 * Checks `Upstash-Flow-Control-Value` (`parallelism=2, rate=5, period=1m`, spaces or not).
 * Knocker applies the limits HOST_LIMITS gives the key, not the message's own: the value is
 * checked so a typo is named, and otherwise read by nobody.
 */
export function readFlowControlValue(raw: string, errors: Record<string, string>): void {
  const parts = raw.split(',').map((p) => p.trim().toLowerCase());
  if (raw.length > 256 || parts.length > 3 || parts.some((p) => !PART.test(p))) {
    errors['upstash-flow-control-value'] = 'must be parallelism=<n>, rate=<n> and/or period=<duration>, comma-separated';
  }
}
