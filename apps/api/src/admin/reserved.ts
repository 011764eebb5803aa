import express, { type NextFunction, type Request, type Response } from 'express';
import { MethodNotAllowedError, RouteNotFoundError } from '../errors.js';
import { requireAdminKey } from './admin-key.js';
import { apiOrAdminKeyMiddleware, createApiKeyCheck } from '../ingress/api-key.js';
import { createBulkReplayHandler } from './bulk-replay.js';
import type { ApiDeps } from '../deps.js';
import { createGroupsRouter } from './groups.js';
import { createHostsRouter } from './hosts.js';
import { createRequestLogHandler } from './request-log.js';
import { createRequestHandlers } from './requests.js';
import { createScheduleHandlers } from './schedules.js';

/**
 * Knocker's own routes, mounted at RESERVED_PREFIX: every method on these paths is answered
 * here and never relayed. The request routes need the admin key; the log route needs the
 * request's id, and with KNOCKER_API_KEYS an api key (or the admin key), unless
 * REQUEST_LOG_REQUIRES_ADMIN_KEY asks for the admin key alone.
 */
export function createReservedRoutes(deps: Pick<ApiDeps, 'config' | 'store' | 'schedules' | 'flow' | 'openApi' | 'refuseAddress'>): express.Router {
  const { api } = deps.config;
  const { store } = deps;
  const router = express.Router();
  router.get('/openapi.json', (_req: Request, res: Response) => void res.type('application/json').send(deps.openApi));
  router.all('/openapi.json', notAllowed(['GET']));
  const admin = requireAdminKey(api.adminApiKey);
  const requests = createRequestHandlers(store);

  // With KNOCKER_API_KEYS a log line needs one of them (or the admin key), as relaying does.
  const log = createRequestLogHandler(store, api.requestLog);
  if (api.requestLog.requiresAdminKey) router.post('/log', admin, log);
  else if (api.apiKeys.length > 0) router.post('/log', apiOrAdminKeyMiddleware(createApiKeyCheck(api.apiKeys), api.adminApiKey), log);
  else router.post('/log', log);
  router.all('/log', notAllowed(['POST']));

  router.use('/hosts', admin, createHostsRouter(deps));
  router.use('/groups', admin, createGroupsRouter({ store, rules: { hostsOnly: deps.config.protocol.hostsOnly, refuseAddress: deps.refuseAddress } }));
  router.use('/groups', (_req: Request, _res: Response, next: NextFunction) => {
    next(new RouteNotFoundError('use /groups, /groups/<name> or /groups/<name>/endpoints/<endpoint>'));
  });

  router.use('/requests', admin);
  router.post('/requests/retry', createBulkReplayHandler(store));
  router.get('/requests/:id', requests.inspect);
  router.delete('/requests/:id', requests.cancel);
  router.post('/requests/:id/retry', requests.replay);
  router.all('/requests/:id/retry', notAllowed(['POST']));
  router.all('/requests/:id', notAllowed(['GET', 'DELETE']));
  router.use('/requests', (_req: Request, _res: Response, next: NextFunction) => {
    next(new RouteNotFoundError('use /requests/<id>, /requests/<id>/retry or /requests/retry, with any / in the id written %2F'));
  });

  const schedules = createScheduleHandlers(deps);
  router.use('/schedules', admin);
  router.get('/schedules', schedules.list);
  router.all('/schedules', notAllowed(['GET']));
  router.get('/schedules/:id', schedules.inspect);
  router.delete('/schedules/:id', schedules.remove);
  router.post('/schedules/:id/pause', schedules.pause);
  router.post('/schedules/:id/resume', schedules.resume);
  router.all('/schedules/:id/pause', notAllowed(['POST']));
  router.all('/schedules/:id/resume', notAllowed(['POST']));
  router.all('/schedules/:id', notAllowed(['GET', 'DELETE']));
  router.use('/schedules', (_req: Request, _res: Response, next: NextFunction) => {
    next(new RouteNotFoundError('use /schedules, /schedules/<id>, /schedules/<id>/pause or /schedules/<id>/resume, with any / in the id written %2F'));
  });
  return router;
}

/**
 * The last handler under RESERVED_PREFIX: a path there that no route took is a mistake to
 * report, never a request to relay (its Knocker-* validation would only confuse). Mounted
 * after every reserved route, so a route added under the prefix is reached first.
 */
export function unknownReservedPath(prefix: string) {
  return (_req: Request, _res: Response, next: NextFunction): void => {
    next(new RouteNotFoundError(`${prefix} holds Knocker's own routes (docs/requests.md) and nothing under it is relayed`));
  };
}

/** A path under RESERVED_PREFIX, which the reserved router answers whatever the method. */
export function isReservedPath(path: string, prefix: string): boolean {
  const p = path.toLowerCase();
  const base = prefix.toLowerCase();
  return p === base || p.startsWith(`${base}/`);
}

export function notAllowed(allowed: readonly string[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    res.set('allow', allowed.join(', '));
    next(new MethodNotAllowedError(req.method, allowed));
  };
}
