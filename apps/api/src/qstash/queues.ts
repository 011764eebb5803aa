import express, { type NextFunction, type Request, type Response } from 'express';
import {
  QUEUE_BODY_MAX_BYTES, QUEUES_MAX, QstashRequestError, queueOf, readQueueName, readQueueUpsert,
} from '@knocker/qstash';
import { sendJson } from '../answer.js';
import { readBody } from '../ingress/body.js';
import { DoorError, type DoorDeps } from './door.js';

type Work = (req: Request, res: Response) => Promise<void>;

/**
 * QStash's queues (`/v2/queues`) on Knocker's order lines: a queue's messages are attempted
 * one at a time, in the order they were enqueued, the next once the one before it is
 * delivered or has failed for good. Pausing holds the line; its messages are kept.
 */
export function createQueues(deps: DoorDeps): express.Router {
  const queues = deps.store.qstashQueues;
  const handle = (work: Work) => (req: Request, res: Response, next: NextFunction) => void work(req, res).catch(next);
  const router = express.Router();

  router.post('/', handle(async (req, res) => {
    const body = await readBody(req, QUEUE_BODY_MAX_BYTES, () => new QstashRequestError({ body: `must be at most ${QUEUE_BODY_MAX_BYTES} bytes` }));
    const { queueName, parallelism, paused } = readQueueUpsert(body);
    if ((await queues.save(queueName, parallelism, { max: QUEUES_MAX })) === 'full') throw new DoorError(400, `${QUEUES_MAX} queues exist already`);
    await queues.setPaused(queueName, paused);
    sendJson(res, 200, {});
  }));
  router.get('/', handle(async (_req, res) => sendJson(res, 200, (await queues.list()).map(queueOf))));
  router.get('/:name', handle(async (req, res) => {
    const found = await queues.get(readQueueName(String(req.params['name']), 'name'));
    if (!found) throw new DoorError(404, `queue ${String(req.params['name'])} not found`);
    sendJson(res, 200, queueOf(found));
  }));
  router.delete('/:name', handle(async (req, res) => {
    const name = readQueueName(String(req.params['name']), 'name');
    if (!(await queues.remove(name))) throw new DoorError(404, `queue ${name} not found`);
    sendJson(res, 200, {});
  }));
  for (const [action, paused] of [['pause', true], ['resume', false]] as const) {
    router.post(`/:name/${action}`, handle(async (req, res) => {
      const name = readQueueName(String(req.params['name']), 'name');
      if (!(await queues.setPaused(name, paused, { touch: true }))) throw new DoorError(404, `queue ${name} not found`);
      sendJson(res, 200, {});
    }));
  }
  return router;
}

/** An enqueue to a queue nobody made creates it, as QStash does, within QUEUES_MAX. */
export async function ensureQueue(deps: Pick<DoorDeps, 'store'>, name: string): Promise<void> {
  if ((await deps.store.qstashQueues.save(name, 1, { max: QUEUES_MAX, ensure: true })) === 'full') {
    throw new DoorError(400, `${QUEUES_MAX} queues exist already: queue ${name} cannot be made`);
  }
}
