import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '@knocker/contract';
import type { HttpMetrics } from '@knocker/metrics';
import type { ErrorReporter, Logger } from '@knocker/telemetry';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The bytes express's `res.json` sends (same headers, same order), without express: the relay
 * path answers with it, and its answers must not tell the two apart.
 */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('Content-Type', JSON_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/** An answer built where nothing throws (timers, the last resort): its status from its code. */
export function sendError(res: ServerResponse, err: ApiError): void {
  sendJson(res, err.status, err.body());
}

export interface ErrorAnswerDeps {
  logger: Logger;
  reporter: ErrorReporter;
  metrics: Pick<HttpMetrics, 'refused'>;
}

/** Knocker's answer to an error: its own errors carry their status and JSON; anything else is a reported 500. */
export function answerError(deps: ErrorAnswerDeps, err: unknown, req: IncomingMessage & { originalUrl?: string }, res: ServerResponse): void {
  if (err instanceof ApiError && !res.headersSent) {
    deps.metrics.refused.inc({ reason: err.code });
    if (err.retryAfter !== undefined) res.setHeader('retry-after', String(err.retryAfter));
    if (err.status === 413) res.setHeader('connection', 'close');
    sendError(res, err);
    return;
  }
  if (req.readableAborted || res.headersSent) {
    res.destroy();
    return;
  }
  const path = req.originalUrl ?? req.url;
  deps.logger.error(`Unexpected error on "${req.method} ${path}": ${err instanceof Error ? err.stack : String(err)}`);
  deps.reporter.captureException(err, { method: req.method, path });
  sendError(res, new ApiError('internal_error', { server: 'unexpected error, reported to the operators' }));
}
