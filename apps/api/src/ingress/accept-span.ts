import type { IncomingMessage } from 'node:http';
import type { KnockRequest } from '@knocker/protocol';
import { urlWithoutSecrets, type Span, type Tracing } from '@knocker/tracing';

/**
 * The span of the api accepting a request: a child of the caller's `traceparent` when it sent
 * one, else a trace's root. Its attempts hang under it, from the job's `trace` field.
 */
export function startAcceptSpan(tracing: Tracing, req: IncomingMessage): Span {
  const parent = req.headers['traceparent'];
  return tracing.startSpan('accept', {
    kind: 'server',
    parent: typeof parent === 'string' ? parent : undefined,
    attributes: { 'http.request.method': req.method, 'url.path': (req.url ?? '/').split('?', 1)[0] },
  });
}

/** What the span learns once the request is parsed. */
export function describeKnock(span: Span, knock: KnockRequest): void {
  span.set({ 'knocker.id': knock.config.id, 'knocker.target': urlWithoutSecrets(knock.url), 'knocker.target.method': knock.method, 'knocker.retries': knock.config.retries });
}

/** Ends the span with the answer's status, or the refusal's. */
export function endAcceptSpan(span: Span, err?: unknown): void {
  if (err === undefined) span.set({ 'http.response.status_code': 200 });
  else {
    const { status, code } = err as { status?: unknown; code?: unknown };
    span.set({ 'http.response.status_code': typeof status === 'number' ? status : 500, 'error.type': typeof code === 'string' ? code : 'unexpected' });
    span.fail(err instanceof Error ? err.message : String(err));
  }
  span.end();
}
