import express, { type NextFunction, type Request, type Response } from 'express';
import type { RequestListener } from 'node:http';
import { createHealthRouter, type HealthOptions } from '@knocker/health';
import { metricsRoute, observeHttp, type HttpMetrics, type Registry } from '@knocker/metrics';
import type { Queues } from '@knocker/queue';
import type { ErrorReporter, Logger } from '@knocker/telemetry';
import { answerError } from './answer.js';
import { apiKeyMiddleware, createApiKeyCheck } from './api-key.js';
import { createFastPath, reservedMatcher } from './fast-path.js';
import { createInflightGate, inflightLimit, writeTimeout } from './limits.js';
import { createRelay, type RelayDeps } from './relay.js';
import { createReservedRoutes, isReservedPath, notAllowed, unknownReservedPath, type ReservedDeps } from './reserved.js';
import { createScheduleAcceptor } from './schedules.js';
import { createStatusHandler } from './status.js';
import { admitShare } from './admission.js';
import { anyOf, watchAnswerTimes, watchEventLoop } from './overload.js';

export interface ApiDeps extends Omit<RelayDeps, 'acceptSchedule'>, ReservedDeps {
  queues: Queues;
  statusUrl: string;
  reporter: ErrorReporter;
  logger: Logger;
  /** Absent when METRICS_ENABLED is false: no counting, no /metrics. */
  registry: Registry | undefined;
  metrics: HttpMetrics;
  health: HealthOptions & { path: string };
  /** Absent when no credentials are configured: the board is then not mounted (nor loaded). */
  board: { path: string; router: RequestListener } | undefined;
  maxInflight: number;
  /** MAX_EVENT_LOOP_DELAY_MS: load shedding, 0 for none. */
  maxEventLoopDelayMs: number;
  /** MAX_ANSWER_DELAY_MS: load shedding, 0 for none. */
  maxAnswerDelayMs: number;
  writeTimeoutMs: number;
  /** KNOCKER_API_KEYS; empty relays without a key. */
  apiKeys: readonly string[];
  /** RESERVED_PREFIX: where Knocker's own routes live; never relayed. */
  reservedPrefix: string;
}

/**
 * The ingress. Requests on reserved paths (metrics, health, board, status, RESERVED_PREFIX) go
 * to express; every other request is relayed by a plain node:http handler, which costs a
 * fraction of express's router. Both share one in-flight gate and one relay. Never listens itself.
 */
export function createApi(deps: ApiDeps): ApiListener {
  const guard = admitShare(anyOf(watchEventLoop(deps.maxEventLoopDelayMs), watchAnswerTimes(deps.maxAnswerDelayMs)));
  const gate = createInflightGate(deps.maxInflight, guard);
  const checkKey = createApiKeyCheck(deps.apiKeys);
  const relay = createRelay({ ...deps, acceptSchedule: createScheduleAcceptor(deps) });
  const app = createApp(deps, { gate, checkKey, relay });
  const reserved = reservedMatcher([
    deps.health.path, deps.statusUrl, deps.reservedPrefix, ...(deps.registry ? ['/metrics'] : []), ...(deps.board ? [deps.board.path] : []),
  ]);
  const fast = createFastPath({ ...deps, gate, checkKey, relay });
  const listener: RequestListener = (req, res) => (reserved(req.url ?? '') ? app(req, res) : fast(req, res));
  return Object.assign(listener, { app });
}

/** The ingress, and the express app behind its reserved paths (whose routes the tests list). */
export type ApiListener = RequestListener & { readonly app: express.Express };

interface Shared {
  gate: ReturnType<typeof createInflightGate>;
  checkKey: ReturnType<typeof createApiKeyCheck>;
  relay: ReturnType<typeof createRelay>;
}

/** Knocker's own routes; what none of them takes is relayed, as on the fast path. */
function createApp(deps: ApiDeps, shared: Shared): express.Express {
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
  // Health and metrics stay outside the in-flight gate: a load balancer and Prometheus must
  // hear from a busy api too. Every other route of Knocker's own shares the relay's gate.
  app.use(deps.health.path, createHealthRouter(deps.health));
  const gated = inflightLimit(shared.gate);
  if (deps.board) app.use(deps.board.path, gated, deps.board.router);
  app.get(deps.statusUrl, gated, createStatusHandler(deps));
  // Under the prefix the status page is one of Knocker's routes; elsewhere, as in Knocker, other methods are relayed.
  if (isReservedPath(deps.statusUrl, deps.reservedPrefix)) app.all(deps.statusUrl, notAllowed(['GET']));
  app.use(deps.reservedPrefix, gated, createReservedRoutes(deps));
  // Routes under the prefix go above this line: the fallback answers 404 for every other path there.
  app.use(deps.reservedPrefix, unknownReservedPath(deps.reservedPrefix));
  app.use(apiKeyMiddleware(shared.checkKey));
  app.use(gated, (req: Request, res: Response, next: NextFunction) => {
    shared.relay(req, res).catch(next);
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => answerError(deps, err, req, res));
  return app;
}
