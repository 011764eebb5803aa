import express, { type NextFunction, type Request, type Response } from 'express';
import { KnockerError } from '@knocker/protocol';
import type { Queues } from '@knocker/queue';
import type { ErrorReporter, Logger } from '@knocker/telemetry';
import { createRelayHandler, type RelayDeps } from './relay.js';
import { createReservedRoutes, type ReservedDeps } from './reserved.js';
import { createStatusHandler } from './status.js';

export interface ApiDeps extends RelayDeps, ReservedDeps {
  queues: Queues;
  statusUrl: string;
  reporter: ErrorReporter;
  /** RESERVED_PREFIX: where Knocker's own routes live; never relayed. */
  reservedPrefix: string;
}

/** The ingress: Knocker's status page, its reserved routes, and every other request relayed. Never listens itself. */
export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);

  app.get(deps.statusUrl, createStatusHandler(deps));
  app.use(deps.reservedPrefix, createReservedRoutes(deps));
  app.use(createRelayHandler(deps));
  app.use(errorHandler(deps));
  return app;
}

function errorHandler(deps: Pick<ApiDeps, 'logger' | 'reporter'>) {
  return (err: unknown, req: Request, res: Response, _next: NextFunction): void => {
    if (err instanceof KnockerError) {
      if (err.status === 503) res.set('retry-after', '1');
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
