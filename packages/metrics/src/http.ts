import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** of-watchdog's names for the api's own HTTP traffic, plus what the relay refused and why. */
export interface HttpMetrics {
  requests: Counter<'code' | 'method'>;
  duration: Histogram<'code' | 'method'>;
  inFlight: Gauge;
  accepted: Counter;
  refused: Counter<'reason'>;
}

export function createHttpMetrics(registry: Registry): HttpMetrics {
  return {
    requests: new Counter({ name: 'http_requests_total', help: 'HTTP requests answered by the api', labelNames: ['code', 'method'], registers: [registry] }),
    duration: new Histogram({
      name: 'http_request_duration_seconds', help: 'Time from request to the end of the answer', labelNames: ['code', 'method'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers: [registry],
    }),
    inFlight: new Gauge({ name: 'http_requests_in_flight', help: 'HTTP requests being handled by the api', registers: [registry] }),
    accepted: new Counter({ name: 'knocker_requests_accepted_total', help: 'Requests stored for delivery', registers: [registry] }),
    refused: new Counter({
      name: 'knocker_requests_refused_total', help: 'Requests not stored, by reason (the error code of the answer)',
      labelNames: ['reason'], registers: [registry],
    }),
  };
}

// Node's parser accepts only known methods, so the label stays bounded; anything else is folded.
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

// One label object per code and method, made once: the answer path allocates none.
const labelCache = new Map<string, { code: string; method: string }>();
function labelsOf(status: number, rawMethod: string | undefined): { code: string; method: string } {
  const method = METHODS.has(rawMethod ?? '') ? (rawMethod as string) : 'OTHER';
  const key = `${status} ${method}`;
  let labels = labelCache.get(key);
  if (labels === undefined) {
    labels = { code: String(status), method };
    if (labelCache.size < 1000) labelCache.set(key, labels);
  }
  return labels;
}

/** Starts counting one request; call what it returns once, when its answer ends. */
export function startHttpObservation(metrics: HttpMetrics): (req: IncomingMessage, res: ServerResponse) => void {
  const started = process.hrtime.bigint();
  metrics.inFlight.inc();
  return (req, res) => {
    metrics.inFlight.dec();
    const labels = labelsOf(res.statusCode, req.method);
    metrics.requests.inc(labels);
    metrics.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
  };
}

/** Counts one request when its answer ends (or the connection closes first). */
export function observeHttp(metrics: HttpMetrics, req: IncomingMessage, res: ServerResponse): void {
  const finish = startHttpObservation(metrics);
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    finish(req, res);
  };
  res.once('finish', once);
  res.once('close', once);
}
