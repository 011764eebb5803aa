import { splitCopyId } from '@knocker/protocol';
import type { AttemptRecord, Inspection, ListedRequest, ListedState } from '@knocker/queue';

/** A log entry as `GET /v2/events` answers it. */
export type QstashEvent = Record<string, unknown> & { time: number; state: string };

/**
 * What each state filter of `GET /v2/events` lists: the store's states to walk, and whether
 * the message has failed an attempt already (a pending one then waits to be retried).
 * Knocker lists no active request and keeps no separate record of each failed attempt, so
 * ACTIVE and ERROR are not filters here.
 */
export const EVENT_STATES: Readonly<Record<string, { states: readonly ListedState[]; retried?: boolean }>> = {
  CREATED: { states: ['waiting', 'delayed'], retried: false },
  RETRY: { states: ['waiting', 'delayed'], retried: true },
  IN_PROGRESS: { states: ['waiting', 'delayed'], retried: true },
  DELIVERED: { states: ['delivered'] },
  FAILED: { states: ['failed'] },
  CANCELLED: { states: ['cancelled'] },
  CANCELED: { states: ['cancelled'] },
};

const FINISHED = { failed: 'FAILED', cancelled: 'CANCELLED', delivered: 'DELIVERED' } as const;
const ended = (a: AttemptRecord) => Date.parse(a.started_at) + a.duration_ms;

/**
 * A listed request as its latest log entry: its state in QStash's words, at the time it took
 * it (ended, failed an attempt, or was accepted), with when it is due next if it waits.
 */
export function eventOf(r: ListedRequest): QstashEvent {
  const a = r.lastAttempt;
  const pending = r.state === 'waiting' || r.state === 'delayed';
  const state = r.state === 'waiting' || r.state === 'delayed' ? (a === undefined ? 'CREATED' : 'RETRY') : FINISHED[r.state];
  const time = pending ? (a === undefined ? r.acceptedAt : ended(a)) : r.endedAt ?? r.acceptedAt;
  return {
    time, state, ...common(r.id, r.url, r.group, r.labels),
    ...(r.dueAt === undefined ? {} : { nextDeliveryTime: r.dueAt }),
    ...(a?.error && state !== 'DELIVERED' ? { error: a.error, responseStatus: a.status_code } : {}),
  };
}

/** Every entry Knocker can tell of one message, oldest first: accepted, each attempt, where it is now. */
export function historyOf(f: Inspection): QstashEvent[] {
  const base = common(f.id, f.url, f.group, undefined);
  const created = Date.parse(f.created_at);
  const out: QstashEvent[] = [{ time: created, state: 'CREATED', ...base }];
  for (const a of f.attempts) {
    out.push({ time: ended(a), state: a.error === null ? 'DELIVERED' : 'ERROR', ...base, ...(a.error === null ? {} : { error: a.error, responseStatus: a.status_code }) });
  }
  const last = out.at(-1)!.time;
  if (f.state === 'failed' || f.state === 'cancelled') out.push({ time: last, state: FINISHED[f.state], ...base });
  else if (f.state === 'active') out.push({ time: last, state: 'ACTIVE', ...base });
  else if (f.state !== 'delivered' && f.attempts.length > 0) out.push({ time: last, state: 'RETRY', ...base });
  return out;
}

function common(id: string, url: string, group: string | undefined, labels: readonly string[] | undefined): Record<string, unknown> {
  return {
    messageId: id, url,
    ...(group === undefined ? {} : { topicName: group, endpointName: splitCopyId(id)?.endpoint }),
    ...(labels === undefined || labels.length === 0 ? {} : { label: labels[0], labels }),
  };
}
