import type { HostList, HostView, ScheduleAccepted, ScheduleInspection, ScheduleSummary } from '../admin-types.js';
import type { Group, GroupAccepted, GroupDuplicate } from '../group-types.js';
import type { Inspection, KnockAccepted, KnockDuplicate, KnockerStatus } from '../types.js';

/** Human-readable answers; `--json` prints the answers themselves instead. */
export function accepted(a: KnockAccepted | KnockDuplicate): string {
  if (a.duplicate) return `already stored ${a.id}: ${a.state}`;
  const c = a.config;
  const how = `retries ${c.retries}, timeout ${c.timeout}s, backoff ${c.backoff_factor}s${c.callback ? `, callback ${c.callback}` : ''}`;
  const when = a.not_before ? `, not before ${a.not_before}` : '';
  return `accepted ${c.id}: ${a.method} ${a.url} (${how}, ${a['body-length']} bytes${when})`;
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
    `  schedules: ${counts(s.schedules)}`,
  ].join('\n');
}

export function scheduleAccepted(a: ScheduleAccepted): string {
  const s = a.schedule;
  return `${a.replaced ? 'schedule replaced' : 'schedule stored'} ${s.id}: ${JSON.stringify(s.cron)} (${s.timezone}), ${s.state}, next ${s.next ?? '-'}: ${a.method} ${a.url}`;
}

export function scheduleLine(s: ScheduleSummary): string {
  return `${s.id}: ${s.state}, ${JSON.stringify(s.cron)} (${s.timezone}), next ${s.next ?? '-'}: ${s.method} ${s.url}`;
}

export function scheduleInspection(r: ScheduleInspection): string {
  const s = r.schedule;
  return [
    scheduleLine(s),
    `  created ${s.created_at}, updated ${s.updated_at}; ${s['body-length']} bytes, retries ${s.config.retries}, timeout ${s.config.timeout}s`,
    ...(s.next_ticks.length > 0 ? [`  next ticks: ${s.next_ticks.join(', ')}`] : []),
    ...r.last_requests.map((q) => `  request ${q.id}: ${q.state}${q.created_at ? ` (${q.created_at})` : ''}`),
  ].join('\n');
}

export function hostList(h: HostList): string {
  const d = h.defaults;
  const breaker = h.breaker.failures > 0 ? `breaker after ${h.breaker.failures} failures (cooldown ${h.breaker.cooldown}s, up to ${h.breaker.cooldown_max}s)` : 'no breaker';
  const head = h.flow_control ? `flow control on: concurrency ${d.concurrency || 'unlimited'}, rate ${d.rate || 'unlimited'} per key by default, ${breaker}` : 'flow control off';
  return [head, ...(h.hosts.length === 0 ? ['  no flow key has work'] : h.hosts.map(hostLine))].join('\n');
}

function hostLine(k: HostView): string {
  const until = k.breaker.until ? ` until ${k.breaker.until}` : '';
  return `  ${k.key}: in flight ${k.in_flight}, waiting ${k.waiting}${k.paused ? ', paused' : ''}, breaker ${k.breaker.state}${until}`;
}

export function groupAccepted(a: GroupAccepted | GroupDuplicate): string {
  if (a.duplicate) return [`already stored ${a.id} for group ${a.group}:`, ...a.requests.map((r) => `  ${r.id}: ${r.state}`)].join('\n');
  return [`accepted ${a.id} for group ${a.group} (${a.requests.length} copies, ${a['body-length']} bytes):`, ...a.requests.map((r) => `  ${r.id}: ${a.method} ${r.url}`)].join('\n');
}

export function group(g: Group): string {
  const endpoints = g.endpoints.length === 0 ? ['  (no endpoints)'] : g.endpoints.map((e) => `  ${e.name}: ${e.url}`);
  return [`${g.name}: ${g.endpoints.length} endpoints, updated ${g.updated_at}`, ...endpoints].join('\n');
}
