/** Values a span attribute may hold; undefined ones are left out. */
export type Attributes = Record<string, string | number | boolean | undefined>;

export type SpanKind = 'server' | 'client' | 'internal' | 'consumer';

export interface SpanOptions {
  kind?: SpanKind;
  /** A W3C `traceparent`: the caller's, or the one stored with a job. Absent or malformed: a new trace. */
  parent?: string | undefined;
  /** Ms since the epoch; default now. */
  startTime?: number;
  attributes?: Attributes;
}

/** The ids of a span as the JSON log lines carry them. */
// A type, not an interface: a logger's meta (a record) accepts it.
export type LogIds = { trace_id: string; span_id: string };

export interface Span {
  /** This span as a W3C `traceparent`, for a header or a job; undefined when tracing is off. */
  readonly traceparent: string | undefined;
  /** For a log line's meta; undefined when tracing is off, so the line stays as it was. */
  readonly logIds: LogIds | undefined;
  set(attributes: Attributes): void;
  /** Marks the span failed, with why. */
  fail(message: string): void;
  /** `endTime` in ms since the epoch; default now. */
  end(endTime?: number): void;
}

/** Knocker's face of OpenTelemetry: off, it is a handful of empty functions. */
export interface Tracing {
  readonly enabled: boolean;
  startSpan(name: string, opts?: SpanOptions): Span;
  /** Sends the spans still pending and stops; part of the shutdown. */
  shutdown(): Promise<void>;
}

const NO_SPAN: Span = Object.freeze({ traceparent: undefined, logIds: undefined, set: () => {}, fail: () => {}, end: () => {} });

export const noTracing: Tracing = Object.freeze({
  enabled: false,
  startSpan: () => NO_SPAN,
  shutdown: async () => {},
});
