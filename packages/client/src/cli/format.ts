import type { Inspection, KnockAccepted, KnockerStatus } from '../types.js';

/** Human-readable answers; `--json` prints the answers themselves instead. */
export function accepted(a: KnockAccepted): string {
  const c = a.config;
  const how = `retries ${c.retries}, timeout ${c.timeout}s, backoff ${c.backoff_factor}s${c.callback ? `, callback ${c.callback}` : ''}`;
  const when = a.not_before ? `, not before ${a.not_before}` : '';
  return `${a.duplicate ? 'already stored' : 'accepted'} ${c.id}: ${a.method} ${a.url} (${how}, ${a['body-length']} bytes${when})`;
}

export function inspection(r: Inspection): string {
  const lines = [
    `${r.id}: ${r.state}`,
    `  ${r.method} ${r.url}`,
    `  created ${r.created_at}, replays ${r.replays}, retries ${r.config.retries}`,
    ...r.attempts.map(attemptLine),
    ...(r.callback ? [`  callback ${r.callback.url}: ${r.callback.state} (${r.callback.attempts} attempts)`] : []),
    ...r.logs.map((l) => `  log ${l}`),
  ];
  return lines.join('\n');
}

export function attemptLine(a: Inspection['attempts'][number]): string {
  const outcome = a.error === null ? 'ok' : a.error;
  return `  attempt ${a.attempt} at ${a.started_at}: ${a.status_code} in ${a.duration_ms} ms, ${outcome}`;
}

export function status(s: KnockerStatus): string {
  const counts = (c: Record<string, number>) => Object.entries(c).map(([k, v]) => `${k} ${v}`).join(', ');
  return [
    `Knocker ${s.version}: processed ${s.processed} (delivered ${s.delivered}, failed ${s.failed})`,
    `  requests: ${counts(s.queues.requests)}`,
    `  callbacks: ${counts(s.queues.callbacks)}`,
  ].join('\n');
}
