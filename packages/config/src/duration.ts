const PLAIN = /^(\d+(\.\d*)?|\.\d+)$/;
// Units largest first, each at most once: `1h30m`, never `30m1h` or `1h1h`.
const UNITS = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?$/;
const SECONDS_PER = [86_400, 3_600, 60, 1] as const;

/**
 * Reads a duration: plain seconds (`90`, `1.5`) or units (`30s`, `5m`, `2h`, `1d`, `1h30m`).
 * Returns seconds, or undefined when the text is neither. DELAY_MAX and `Knocker-Delay` are
 * written the same way, so the protocol reads its header with this too.
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
