import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiError } from '@knocker/contract';
import { secretsEqual } from '@knocker/protocol';
import type { Queue } from 'bullmq';
import type { Queues, Shard } from '@knocker/queue';

/** Bull Board for the delivery and callback queues of every shard, and the ticks of schedules, behind HTTP basic auth. */
export function createBoard(opts: { path: string; user: string; password: string; queues: Pick<Queues, 'all'>; schedules: Queue }): express.Express {
  const adapter = new ExpressAdapter();
  adapter.setBasePath(opts.path);
  const { replaceQueues } = createBullBoard({ queues: adaptersOf(opts.queues.all, opts.schedules), serverAdapter: adapter });
  const board = express();
  // Shards of another layout appear when the api finds them (after a change of QUEUE_SHARDS).
  let shown = opts.queues.all;
  board.use((_req, _res, next) => {
    if (opts.queues.all !== shown) replaceQueues(adaptersOf((shown = opts.queues.all), opts.schedules));
    next();
  });
  // Both are express apps of their own, which announce themselves unless told not to; the
  // ingress does not.
  const ui: express.Express = adapter.getRouter();
  for (const app of [board, ui]) app.disable('x-powered-by');
  board.use(basicAuth(opts.user, opts.password));
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

// A single shard keeps the queues' plain names (and the board its URLs); shards are told
// apart by a prefix, since the board keys queues by name.
function adaptersOf(shards: readonly Shard[], schedules: Queue): BullMQAdapter[] {
  return [...shards.flatMap((s) => {
    const only = s.count === 1;
    const opts = (name: string) => (s.index === 0 && only ? {} : { prefix: `${s.index + 1}of${s.count}-`, displayName: `${name} (shard ${s.index + 1} of ${s.count})` });
    return [new BullMQAdapter(s.delivery, opts(s.delivery.name)), new BullMQAdapter(s.callback, opts(s.callback.name))];
  }), new BullMQAdapter(schedules)];
}
