import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiError } from '@knocker/contract';
import { secretsEqual } from '@knocker/protocol';
import type { Queue } from 'bullmq';
import type { BoardSettings } from '@knocker/config';
import type { BoardQueue, RequestStore } from '@knocker/queue';

/** Bull Board for the delivery and callback queues of every shard, and the ticks of schedules, behind HTTP basic auth. */
export function createBoard(settings: BoardSettings, store: Pick<RequestStore, 'boardQueues'>, schedules: Queue): express.Express {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(settings.path);
  const { replaceQueues } = createBullBoard({ queues: adaptersOf(store.boardQueues(), schedules), serverAdapter: adapter });
  const board = express();
  // Shards of another layout appear when the api finds them (after a change of QUEUE_SHARDS).
  let shown = store.boardQueues();
  board.use((_req, _res, next) => {
    if (store.boardQueues() !== shown) replaceQueues(adaptersOf((shown = store.boardQueues()), schedules));
    next();
  });
  // Both are express apps of their own, which announce themselves unless told not to; the
  // ingress does not.
  const ui: express.Express = adapter.getRouter();
  for (const app of [board, ui]) app.disable('x-powered-by');
  board.use(basicAuth(settings.user, settings.password));
  board.use(ui);
  // The board's path is reserved: a request the board does not serve ends here. Passed on,
  // it would be relayed, with the board's credentials in its Authorization header.
  board.use((_req: Request, res: Response) => {
    refuse(res, new ApiError('not_found', { path: 'not a page or API of Bull Board' }));
  });
  return board;
}

const refuse = (res: Response, err: ApiError): void => void res.status(err.status).json(err.body());

function basicAuth(user: string, password: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const [scheme, encoded] = (req.headers.authorization ?? '').split(' ');
    const [u, ...rest] = scheme?.toLowerCase() === 'basic' ? Buffer.from(encoded ?? '', 'base64').toString().split(':') : [];
    // Both compared every time, so timing does not tell which one was wrong.
    const userOk = secretsEqual(u ?? '', user);
    const passwordOk = secretsEqual(rest.join(':'), password);
    if (userOk && passwordOk) return next();
    res.set('www-authenticate', 'Basic realm="Knocker board", charset="UTF-8"');
    refuse(res, new ApiError('unauthorized', { authorization: 'Bull Board needs BOARD_USER and BOARD_PASSWORD (HTTP basic auth)' }));
  };
}

function adaptersOf(queues: readonly BoardQueue[], schedules: Queue): BullMQAdapter[] {
  return [...queues.map((q) => new BullMQAdapter(q.queue, q.prefix === undefined ? {} : { prefix: q.prefix, displayName: q.displayName ?? q.queue.name })), new BullMQAdapter(schedules)];
}
