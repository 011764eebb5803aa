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

/** Counts one request when its answer ends (or the connection closes first). */
export function observeHttp(metrics: HttpMetrics, req: IncomingMessage, res: ServerResponse): void {
  const started = process.hrtime.bigint();
  metrics.inFlight.inc();
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    metrics.inFlight.dec();
    const labels = { code: String(res.statusCode), method: METHODS.has(req.method ?? '') ? (req.method as string) : 'OTHER' };
    metrics.requests.inc(labels);
    metrics.duration.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
  };
  res.once('finish', finish);
  res.once('close', finish);
}
