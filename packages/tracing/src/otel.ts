import { ROOT_CONTEXT, SpanKind as OtelKind, SpanStatusCode, defaultTextMapGetter, defaultTextMapSetter, trace, type Span as OtelSpan } from '@opentelemetry/api';
import { W3CTraceContextPropagator, setGlobalErrorHandler } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOffSampler, AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler, type Sampler, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { redactUrl, type TraceSampler, type TracingSettings } from '@knocker/config';
import type { TracingIdentity } from './index.js';
import type { Span, SpanKind, Tracing } from './span.js';

const KINDS: Record<SpanKind, OtelKind> = { server: OtelKind.SERVER, client: OtelKind.CLIENT, internal: OtelKind.INTERNAL, consumer: OtelKind.CONSUMER };
const WARN_EVERY_MS = 60_000;
const SHUTDOWN_MS = 2000;

/** Loaded only when tracing is on (see startTracing). */
export async function createOtelTracing(settings: TracingSettings, identity: TracingIdentity): Promise<Tracing> {
  let warned = 0;
  // The SDK's export failures go here; a collector that is down must not flood the log.
  const report = (err: unknown): void => {
    if (Date.now() - warned < WARN_EVERY_MS) return;
    warned = Date.now();
    identity.warn(`Tracing: spans not exported to ${redactUrl(settings.url)} (${err instanceof Error ? err.message : String(err)}); told again at most once a minute`);
  };
  setGlobalErrorHandler(report);
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName ?? `knocker-${identity.role}`, 'service.version': identity.version, 'knocker.role': identity.role }),
    sampler: samplerOf(settings.sampler, settings.ratio),
    spanProcessors: [new BatchSpanProcessor(await exporterOf(settings), { scheduledDelayMillis: settings.batchDelayMs })],
  });
  const tracer = provider.getTracer('knocker', identity.version);
  const propagator = new W3CTraceContextPropagator();

  const wrap = (span: OtelSpan): Span => {
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
    const { traceId, spanId } = span.spanContext();
    return {
      traceparent: carrier['traceparent'],
      logIds: { trace_id: traceId, span_id: spanId },
      set: (attributes) => void span.setAttributes(attributes),
      fail: (message) => void span.setStatus({ code: SpanStatusCode.ERROR, message }),
      end: (endTime) => span.end(endTime),
    };
  };

  return {
    enabled: true,
    startSpan(name, opts = {}) {
      // The propagator refuses a malformed traceparent: the span then starts a trace of its own.
      const parent = opts.parent === undefined ? ROOT_CONTEXT : propagator.extract(ROOT_CONTEXT, { traceparent: opts.parent }, defaultTextMapGetter);
      return wrap(tracer.startSpan(name, { kind: KINDS[opts.kind ?? 'internal'], attributes: opts.attributes, startTime: opts.startTime }, parent));
    },
    // The last spans get a moment, not the exporter's retries: a stopping process must not hang on a collector.
    shutdown: () => new Promise<void>((resolve) => {
      setTimeout(resolve, SHUTDOWN_MS).unref();
      provider.shutdown().catch(report).finally(resolve);
    }),
  };
}

function samplerOf(name: TraceSampler, ratio: number): Sampler {
  const root = name.endsWith('always_off') ? new AlwaysOffSampler() : name.endsWith('traceidratio') ? new TraceIdRatioBasedSampler(ratio) : new AlwaysOnSampler();
  return name.startsWith('parentbased_') ? new ParentBasedSampler({ root }) : root;
}

// Only the exporter the protocol names is loaded.
async function exporterOf(settings: TracingSettings): Promise<SpanExporter> {
  const options = { url: settings.url, headers: settings.headers };
  if (settings.protocol === 'http/json') return new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter(options);
  return new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter(options);
}
