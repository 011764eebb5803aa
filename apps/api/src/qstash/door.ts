import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiError } from '@knocker/contract';
import { messageOf } from '@knocker/qstash';
import { withinDeadline } from '@knocker/queue';
import { sendJson } from '../answer.js';
import type { ApiDeps } from '../deps.js';
import { readBody } from '../ingress/body.js';
import { bearerMiddleware, createBearerCheck } from './auth.js';
import { createQstashSchedules } from './schedules.js';
import { createUrlGroups } from './url-groups.js';
import { storeBatch } from './publish.js';
import { answerDoorError, createPublishServer, matchPublish } from './publish-routes.js';
import { createDlq } from './dlq.js';
import { createMessages } from './messages.js';
import { createEvents } from './events.js';
import { createQueues } from './queues.js';
import { createFlowControl } from './flow-control.js';

export type DoorDeps = Pick<ApiDeps, 'config' | 'store' | 'schedules' | 'flow' | 'queueReady' | 'refuseAddress' | 'logger' | 'metrics'>;

/** The path the door is mounted at under RESERVED_PREFIX: the SDK's `baseUrl` is `<api>/<prefix>/qstash`. */
export const DOOR_PATH = '/qstash';

/**
 * QStash's API as the `@upstash/qstash` SDK speaks it, translated into the request store's
 * operations by @knocker/qstash. Errors are answered QStash's way, `{"error": "..."}`.
 */
export function createQstashDoor(deps: DoorDeps): express.Router {
  const { api, redis } = deps.config;
  const { tokens, signingKeys } = deps.config.qstash;
  const limits = { ...deps.config.protocol, refuseAddress: deps.refuseAddress };
  const bounded = <T>(work: Promise<T>) => withinDeadline(work, redis.timeoutMs);
  const router = express.Router();
  router.use(bearerMiddleware(createBearerCheck(tokens)));

  // The api serves these on its fast path; here they are reached only by URLs it leaves to
  // express (another letter case of the prefix), and answered the same.
  const publish = createPublishServer(deps);
  router.use((req: Request, res: Response, next: NextFunction) => {
    const match = req.method === 'POST' ? matchPublish(req.url) : undefined;
    if (match === undefined) return next();
    publish(req, res, match).catch(next);
  });

  router.get('/v2/messages/:id', async (req, res, next) => {
    try {
      const found = await bounded(deps.store.find(String(req.params['id']), { request: true }));
      if (!found) throw new DoorError(404, `message ${String(req.params['id'])} not found`);
      sendJson(res, 200, messageOf(found));
    } catch (err) {
      next(err);
    }
  });
  router.delete('/v2/messages/:id', async (req, res, next) => {
    try {
      const id = String(req.params['id']);
      const outcome = await bounded(deps.store.cancel(id));
      if (outcome === 'unknown') throw new DoorError(404, `message ${id} not found`);
      if (outcome === 'busy') throw new DoorError(400, `message ${id} is being delivered or has finished: it cannot be cancelled`);
      sendJson(res, 200, { cancelled: 1 });
    } catch (err) {
      next(err);
    }
  });
  router.post('/v2/batch', async (req, res, next) => {
    try {
      sendJson(res, 200, await storeBatch(deps, await readBody(req, api.maxBodySize), limits));
    } catch (err) {
      next(err);
    }
  });
  router.use('/v2/messages', createMessages(deps));
  router.use('/v2/events', createEvents(deps));
  router.use('/v2/dlq', createDlq(deps));
  router.get('/v2/keys', (_req, res) => sendJson(res, 200, { current: signingKeys.current, next: signingKeys.next }));
  router.use('/v2/schedules', createQstashSchedules(deps));
  router.use('/v2/topics', createUrlGroups(deps));
  router.use('/v2/queues', createQueues(deps));
  router.use('/v2', createFlowControl(deps));
  router.use((req: Request, _res: Response, next: NextFunction) => {
    next(new DoorError(404, `${req.method} ${req.path} is not a QStash route this Knocker serves (see docs/qstash.md)`));
  });
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!answerDoorError(err, res)) next(err);
  });
  return router;
}

/** A refusal in QStash's words: its status and one message, answered as `{"error": ...}`. */
export class DoorError extends ApiError {
  constructor(status: 400 | 404, message: string) {
    super(status === 404 ? 'not_found' : 'invalid_request', { qstash: message });
    this.message = message;
  }
}
