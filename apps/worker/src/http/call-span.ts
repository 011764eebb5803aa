import type { HeaderPair } from '@knocker/protocol';
import { urlWithoutSecrets, type Attributes, type Span, type Tracing } from '@knocker/tracing';
import type { Attempt } from './attempt.js';

/** An HTTP client span for one call to a target or a callback URL; Knocker's own fields ride along. */
export function startCallSpan(tracing: Tracing, name: string, call: { method: string; url: string; parent: string | undefined; attempt: number }, knocker: Attributes): Span {
  if (!tracing.enabled) return tracing.startSpan(name);
  const target = URL.parse(call.url);
  return tracing.startSpan(name, {
    kind: 'client',
    parent: call.parent,
    attributes: {
      'http.request.method': call.method,
      'url.full': urlWithoutSecrets(call.url),
      'server.address': target?.hostname,
      'server.port': target ? Number(target.port || (target.protocol === 'https:' ? 443 : 80)) : undefined,
      'http.request.resend_count': call.attempt > 1 ? call.attempt - 1 : undefined,
      'knocker.attempt': call.attempt,
      ...knocker,
    },
  });
}

/** Ends the span with the call's outcome: its status, and why it failed. */
export function endCallSpan(span: Span, attempt: Attempt): void {
  if (span.traceparent === undefined) return; // tracing off: nothing to record
  const errorType = attempt.ok ? undefined : attempt.code ?? attempt.targetError?.code ?? attempt.cause ?? String(attempt.statusCode);
  span.set({ 'http.response.status_code': attempt.statusCode, 'error.type': errorType });
  if (!attempt.ok) span.fail(attempt.error ?? `status ${attempt.statusCode}`);
  span.end(attempt.startedAt + attempt.durationMs);
}

/**
 * The headers to send: with tracing on, the span's own `traceparent` in place of one the caller
 * sent, so the target's tracing continues this trace. Off, the headers as they were.
 */
export function withTraceparent(headers: HeaderPair[], span: Span): HeaderPair[] {
  const { traceparent } = span;
  if (traceparent === undefined) return headers;
  return [...headers.filter(([name]) => name.toLowerCase() !== 'traceparent'), ['traceparent', traceparent]];
}
