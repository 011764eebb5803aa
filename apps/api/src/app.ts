import express, { type NextFunction, type Request, type Response } from 'express';
import { createHealthRouter, type HealthOptions } from '@knocker/health';
import { metricsRoute, observeHttp, type HttpMetrics, type Registry } from '@knocker/metrics';
import { KnockerError } from '@knocker/protocol';
import type { Queues } from '@knocker/queue';
import type { ErrorReporter, Logger } from '@knocker/telemetry';
import { createBoard } from './board.js';
import { inflightLimit, writeTimeout } from './limits.js';
import { createApiKeyCheck } from './api-key.js';
import { createRelayHandler, type RelayDeps } from './relay.js';
import { createReservedRoutes, isReservedPath, notAllowed, unknownReservedPath, type ReservedDeps } from './reserved.js';
import { createStatusHandler } from './status.js';

export interface ApiDeps extends RelayDeps, ReservedDeps {
  queues: Queues;
  statusUrl: string;
  reporter: ErrorReporter;
  logger: Logger;
  /** Absent when METRICS_ENABLED is false: no counting, no /metrics. */
  registry: Registry | undefined;
  metrics: HttpMetrics;
  health: HealthOptions & { path: string };
  /** Absent when no credentials are configured: the board is then not mounted. */
  board: { path: string; user: string; password: string } | undefined;
  maxInflight: number;
  writeTimeoutMs: number;
  /** KNOCKER_API_KEYS; empty relays without a key. */
  apiKeys: readonly string[];
  /** RESERVED_PREFIX: where Knocker's own routes live; never relayed. */
  reservedPrefix: string;
}

/**
 * The ingress. Reserved paths first (metrics, health, board, status, RESERVED_PREFIX); every other request is
 * relayed. Never listens itself.
 */
export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);

  const { registry } = deps;
  if (registry) {
    app.use((req, res, next) => {
      observeHttp(deps.metrics, req, res);
      next();
    });
    app.get('/metrics', metricsRoute(registry));
  }
  app.use(writeTimeout(deps.writeTimeoutMs));
  app.use(deps.health.path, createHealthRouter(deps.health));
  if (deps.board) app.use(deps.board.path, createBoard({ ...deps.board, queues: deps.queues }));
  app.get(deps.statusUrl, createStatusHandler(deps));
  // Under the prefix the status page is one of Knocker's routes; elsewhere, as in Knocker, other methods are relayed.
  if (isReservedPath(deps.statusUrl, deps.reservedPrefix)) app.all(deps.statusUrl, notAllowed(['GET']));
  app.use(deps.reservedPrefix, createReservedRoutes(deps));
  // Routes under the prefix go above this line: the fallback answers 404 for every other path there.
  app.use(deps.reservedPrefix, unknownReservedPath(deps.reservedPrefix));
  app.use(createApiKeyCheck(deps.apiKeys));
  app.use(inflightLimit(deps.maxInflight), createRelayHandler(deps));
  app.use(errorHandler(deps));
  return app;
}

function errorHandler(deps: Pick<ApiDeps, 'logger' | 'reporter' | 'metrics'>) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (err instanceof KnockerError) {
      deps.metrics.refused.inc({ reason: err.code });
      if (err.status === 503 || err.status === 429) res.set('retry-after', '1');
      if (err.status === 413) res.set('connection', 'close');
      res.status(err.status).json(err.body());
      return;
    }
    if (req.readableAborted || res.headersSent) {
      res.destroy();
      return;
    }
    deps.logger.error(`Unexpected error on "${req.method} ${req.originalUrl}": ${err instanceof Error ? err.stack : String(err)}`);
    deps.reporter.captureException(err, { method: req.method, path: req.originalUrl });
    res.status(500).json({ status: false, code: 'internal_error', errors: { server: 'unexpected error, reported to the operators' } });
  };
}
