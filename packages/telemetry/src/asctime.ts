/**
 * Python logging's default `%(asctime)s`: `2026-11-23 06:16:37,123`.
 * UTC rather than local time, so lines compare across hosts and tests are stable.
 */
export function asctime(time: Date): string {
  const iso = time.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)},${iso.slice(20, 23)}`;
}
