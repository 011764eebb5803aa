import type { TracingSettings } from '@knocker/config';
import { noTracing, type Tracing } from './span.js';

export { noTracing } from './span.js';
export type { Attributes, LogIds, Span, SpanKind, SpanOptions, Tracing } from './span.js';
export { urlWithoutSecrets } from './url.js';

export interface TracingIdentity {
  /** `api` or `worker`: the service is `knocker-<role>` unless OTEL_SERVICE_NAME names it. */
  role: string;
  version: string;
  /** Where export failures are told, at most once a minute. */
  warn: (message: string) => void;
}

/**
 * OTEL_* set: spans go to the collector over OTLP/HTTP. Unset: `noTracing`, and no
 * OpenTelemetry module is loaded at all (they are imported here, on demand).
 */
export async function startTracing(settings: TracingSettings | undefined, identity: TracingIdentity): Promise<Tracing> {
  if (settings === undefined) return noTracing;
  const { createOtelTracing } = await import('./otel.js');
  return createOtelTracing(settings, identity);
}
