import { z } from 'zod';
import { integer, oneOf } from './parse.js';

/** OpenTelemetry traces; off (and no OpenTelemetry module loaded) unless an endpoint is set. */
export interface TracingSettings {
  /** Where spans are POSTed: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, or OTEL_EXPORTER_OTLP_ENDPOINT + `/v1/traces`. */
  url: string;
  protocol: 'http/protobuf' | 'http/json';
  /** OTEL_EXPORTER_OTLP_HEADERS: sent with every export (a vendor's API key, say). */
  headers: Record<string, string>;
  /** OTEL_SERVICE_NAME; undefined: `knocker-api` or `knocker-worker`. */
  serviceName: string | undefined;
  sampler: TraceSampler;
  /** OTEL_TRACES_SAMPLER_ARG: the share of traces kept by the ratio samplers. */
  ratio: number;
  /** OTEL_BSP_SCHEDULE_DELAY: how long finished spans wait to be sent together. */
  batchDelayMs: number;
}

export const TRACE_SAMPLERS = ['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'] as const;
export type TraceSampler = (typeof TRACE_SAMPLERS)[number];

// The specification reads an empty value as unset; a compose file passes empty values on.
const httpUrl = z.string().trim()
  .refine((v) => v === '' || (/^https?:\/\/\S+$/.test(v) && URL.canParse(v)), { message: 'expected an http:// or https:// URL (OTLP over HTTP)' })
  .transform((v) => (v === '' ? undefined : v)).optional();

// The exporter's own format: `key=value` pairs separated by commas, values URL-encoded.
const headerList = z.string().trim().transform((raw, ctx) => {
  const headers: Record<string, string> = {};
  if (raw === '') return headers;
  for (const pair of raw.split(',')) {
    const at = pair.indexOf('=');
    const key = pair.slice(0, at).trim();
    let value: string | undefined;
    try {
      value = at > 0 && /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(key) ? decodeURIComponent(pair.slice(at + 1).trim()) : undefined;
    } catch { /* a stray % is refused below */ }
    if (value === undefined || /[\r\n\0]/.test(value)) {
      ctx.addIssue({ code: 'custom', message: 'expected key=value pairs separated by commas, values URL-encoded; value not shown' });
      return z.NEVER;
    }
    headers[key.toLowerCase()] = value;
  }
  return headers;
});

const ratio = z.string().trim().transform((raw, ctx) => {
  const value = /^(\d+(\.\d*)?|\.\d+)$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(value >= 0 && value <= 1)) {
    ctx.addIssue({ code: 'custom', message: `expected a number from 0 to 1, got ${JSON.stringify(raw)}` });
    return z.NEVER;
  }
  return value;
});

export const tracingSchema = {
  OTEL_EXPORTER_OTLP_ENDPOINT: httpUrl,
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: httpUrl,
  OTEL_EXPORTER_OTLP_PROTOCOL: z.string().trim().refine((v) => v !== 'grpc', { message: 'expected http/protobuf or http/json: grpc is not supported' })
    .pipe(oneOf(['http/protobuf', 'http/json'] as const)).default('http/protobuf'),
  OTEL_EXPORTER_OTLP_HEADERS: headerList.default({}),
  OTEL_SERVICE_NAME: z.string().trim().max(255).transform((v) => (v === '' ? undefined : v)).optional(),
  OTEL_TRACES_SAMPLER: oneOf(TRACE_SAMPLERS).default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: ratio.default(1),
  OTEL_BSP_SCHEDULE_DELAY: integer({ min: 1, max: 600_000 }).default(5000),
};

type TracingEnv = z.output<z.ZodObject<typeof tracingSchema>>;

export function tracingSettings(env: TracingEnv): TracingSettings | undefined {
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  const url = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? (base === undefined ? undefined : `${base.replace(/\/+$/, '')}/v1/traces`);
  if (url === undefined) return undefined;
  return {
    url, protocol: env.OTEL_EXPORTER_OTLP_PROTOCOL, headers: env.OTEL_EXPORTER_OTLP_HEADERS, serviceName: env.OTEL_SERVICE_NAME,
    sampler: env.OTEL_TRACES_SAMPLER, ratio: env.OTEL_TRACES_SAMPLER_ARG, batchDelayMs: env.OTEL_BSP_SCHEDULE_DELAY,
  };
}
