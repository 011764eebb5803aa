import type { Job } from 'bullmq';
import { attemptRecord, type DeliveryJob } from '@knocker/queue';
import type { Span, Tracing } from '@knocker/tracing';
import { startCallSpan } from '../http/call-span.js';

/**
 * The spans of one attempt, both children of the span that stored the request: `queued`, the
 * time from when the attempt was due (accepted, its Knocker-Delay over, or the previous
 * attempt's end plus backoff) until a worker took it, flow control's parking included; and
 * `deliver`, the HTTP call, returned for the caller to end.
 */
export function startAttemptSpans(tracing: Tracing, job: Job<DeliveryJob>, n: number, total: number): Span {
  if (!tracing.enabled) return tracing.startSpan('deliver');
  const { data } = job;
  const id = data.config.id;
  // Stored by an api without tracing: the caller's own traceparent, if it sent one, is the parent.
  const parent = data.trace ?? data.headers.find(([name]) => name.toLowerCase() === 'traceparent')?.[1];
  // Without any parent the wait would be a trace of its own, apart from its attempt: left out.
  if (parent !== undefined) {
    const stored = data.attempts?.at(-1);
    const previous = stored === undefined ? undefined : attemptRecord(stored);
    const due = previous === undefined ? Math.max(data.acceptedAt, data.notBefore ?? 0) : Date.parse(previous.started_at) + previous.duration_ms;
    tracing.startSpan('queued', { kind: 'consumer', parent, startTime: Math.min(due, Date.now()), attributes: { 'knocker.id': id, 'knocker.attempt': n } }).end();
  }
  return startCallSpan(tracing, 'deliver', { method: data.method, url: data.url, parent, attempt: n }, { 'knocker.id': id, 'knocker.attempts.max': total, 'knocker.schedule': data.schedule });
}
