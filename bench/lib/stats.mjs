// Small, exact statistics: the sample sizes here (at most a few hundred thousand latencies)
// are sorted in milliseconds, so there is no histogram rounding to explain.

/** Nearest-rank percentile of an ascending array; p in [0, 100]. */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** p50, p99 and max of a list of numbers (the list is sorted in place). */
export function latencySummary(values) {
  const sorted = Float64Array.from(values).sort();
  return { n: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.length ? sorted[sorted.length - 1] : NaN };
}

/** The median of several runs, with their min and max, and the runs themselves. */
export function spread(values) {
  const finite = values.filter((v) => Number.isFinite(v));
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0] ?? NaN, max: sorted[sorted.length - 1] ?? NaN, runs: values };
}

/** For each key of the run objects, the spread of that key over the runs. */
export function spreadOf(runs, keys) {
  return Object.fromEntries(keys.map((k) => [k, spread(runs.map((r) => r[k]))]));
}
