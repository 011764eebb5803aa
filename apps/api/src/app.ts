import express, { type NextFunction, type Request, type Response } from 'express';
import type { RequestListener } from 'node:http';
import { createHealthRouter } from '@knocker/health';
import { metricsRoute, observeHttp } from '@knocker/metrics';
import { answerError } from './answer.js';
import { apiKeyMiddleware, createApiKeyCheck } from './ingress/api-key.js';
import type { ApiDeps } from './deps.js';
import { createFastPath, reservedMatcher } from './ingress/fast-path.js';
import { writeTimeout } from './ingress/write-timeout.js';
import { createInflightGate, inflightLimit } from './shedding/inflight.js';
import { createGroupAcceptor } from './ingress/group-relay.js';
import { createRelay } from './ingress/relay.js';
import { createReservedRoutes, isReservedPath, notAllowed, unknownReservedPath } from './admin/reserved.js';
import { createScheduleAcceptor } from './admin/schedules.js';
import { createStatusHandler } from './admin/status.js';
import { DOOR_PATH, createQstashDoor } from './qstash/door.js';
import { createDoorFastPath } from './qstash/publish-routes.js';
import { admitShare } from './shedding/admission.js';
import { anyOf, watchAnswerTimes, watchEventLoop } from './shedding/overload.js';

/**
 * The ingress. Requests on reserved paths (metrics, health, board, status, RESERVED_PREFIX) go
 * to express; every other request is relayed by a plain node:http handler, which costs a
 * fraction of express's router. Both share one in-flight gate and one relay. Never listens itself.
 */
export function createApi(deps: ApiDeps): ApiListener {
  const { api, protocol } = deps.config;
  const { shedding } = api;
  const guard = admitShare(anyOf(watchEventLoop(shedding.maxEventLoopDelayMs), watchAnswerTimes(shedding.maxAnswerDelayMs)));
  const gate = createInflightGate(shedding.maxInflight, guard);
  const checkKey = createApiKeyCheck(api.apiKeys);
  const relay = createRelay({
    limits: { ...protocol, refuseAddress: deps.refuseAddress }, store: deps.store, queueReady: deps.queueReady, maxBodySize: api.maxBodySize,
    logger: deps.logger, tracing: deps.tracing, metrics: deps.metrics, acceptSchedule: createScheduleAcceptor(deps),
    acceptGroup: createGroupAcceptor({ ...deps, rules: { hostsOnly: protocol.hostsOnly, refuseAddress: deps.refuseAddress } }),
  });
  const app = createApp(deps, { gate, checkKey, relay });
  const served = [deps.health.path, api.statusUrl, ...(deps.registry ? ['/metrics'] : []), ...(deps.board ? [deps.board.path] : [])];
  const reserved = reservedMatcher([...served, api.reservedPrefix]);
  const fast = createFastPath({ ...deps, writeTimeoutMs: api.writeTimeoutMs, gate, checkKey, relay });
  const door = doorFastPath(deps, served, gate);
  const listener: RequestListener = door
    ? (req, res) => (door.takes(req) ? door.listener(req, res) : reserved(req.url ?? '') ? app(req, res) : fast(req, res))
    : (req, res) => (reserved(req.url ?? '') ? app(req, res) : fast(req, res));
  return Object.assign(listener, { app });
}

/**
 * The QStash door's publish routes take the fast path too: a message published through the
 * door costs what a native request costs. Not when the door is off, nor when a route express
 * answers first (health, status, board, metrics) was configured over the door's path.
 */
function doorFastPath(deps: ApiDeps, served: string[], gate: Shared['gate']) {
  const { api, qstash } = deps.config;
  const base = `${api.reservedPrefix.replace(/\/+$/, '')}${DOOR_PATH}`;
  if (qstash.tokens.length === 0 || reservedMatcher(served)(`${base}/v2/publish/x`)) return undefined;
  return createDoorFastPath({ ...deps, writeTimeoutMs: api.writeTimeoutMs, gate }, base);
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
  const { api } = deps.config;
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
  app.use(writeTimeout(api.writeTimeoutMs));
  // Health and metrics stay outside the in-flight gate: a load balancer and Prometheus must
  // hear from a busy api too. Every other route of Knocker's own shares the relay's gate.
  app.use(deps.health.path, createHealthRouter(deps.health));
  const gated = inflightLimit(shared.gate);
  if (deps.board) app.use(deps.board.path, gated, deps.board.router);
  app.get(api.statusUrl, gated, createStatusHandler(deps));
  // Under the prefix the status page is one of Knocker's routes; elsewhere, as in Knocker, other methods are relayed.
  if (isReservedPath(api.statusUrl, api.reservedPrefix)) app.all(api.statusUrl, notAllowed(['GET']));
  // The QStash door, only with QSTASH_TOKENS: without them its path is one more unknown reserved path.
  if (deps.config.qstash.tokens.length > 0) app.use(`${api.reservedPrefix}${DOOR_PATH}`, gated, createQstashDoor(deps));
  app.use(api.reservedPrefix, gated, createReservedRoutes(deps));
  // Routes under the prefix go above this line: the fallback answers 404 for every other path there.
  app.use(api.reservedPrefix, unknownReservedPath(api.reservedPrefix));
  app.use(apiKeyMiddleware(shared.checkKey));
  app.use(gated, (req: Request, res: Response, next: NextFunction) => {
    shared.relay(req, res).catch(next);
  });
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => answerError(deps, err, req, res));
  return app;
}
