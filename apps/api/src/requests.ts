import type { NextFunction, Request, Response } from 'express';
import { checkRequestId, InvalidRequestError } from '@knocker/protocol';
import { cancelDelivery, replayDelivery, shardHolding, type Queues, type RequestState } from '@knocker/queue';
import { withinDeadline } from './deadline.js';
import { RequestNotFoundError, RequestStateError } from './errors.js';
import { readInspection } from './inspection.js';
import { storedState } from './state.js';

export interface RequestsDeps {
  queues: Pick<Queues, 'candidatesFor'>;
  redisTimeoutMs: number;
}

type Handler = (req: Request, res: Response, next: NextFunction) => Promise<void>;

/** GET, replay and cancel of one stored request, by the id in the path. */
export function createRequestHandlers(deps: RequestsDeps): { inspect: Handler; replay: Handler; cancel: Handler } {
  const redis = <T>(work: Promise<T>) => withinDeadline(work, deps.redisTimeoutMs);
  const stateOf = async (id: string): Promise<RequestState> => {
    const state = await redis(storedState(deps.queues, id));
    if (state === undefined) throw new RequestNotFoundError(id);
    return state;
  };
  const handle = (work: (id: string, res: Response) => Promise<void>): Handler => async (req, res, next) => {
    try {
      await work(idParam(req), res);
    } catch (err) {
      next(err);
    }
  };

  return {
    inspect: handle(async (id, res) => {
      const view = await redis(readInspection(deps.queues, id));
      if (view === undefined) throw new RequestNotFoundError(id);
      res.json({ status: true, ...view });
    }),
    replay: handle(async (id, res) => {
      const shard = await redis(shardHolding(deps.queues, id));
      const outcome = await redis(replayDelivery(shard.redis, shard.delivery, id));
      if (outcome === 'unknown') throw new RequestNotFoundError(id);
      if (outcome === 'not-failed') throw new RequestStateError(await stateOf(id), 'only a failed request can be retried');
      res.json({ status: true, id, state: 'waiting' });
    }),
    cancel: handle(async (id, res) => {
      const shard = await redis(shardHolding(deps.queues, id));
      const outcome = await redis(cancelDelivery(shard.redis, shard.delivery, id));
      if (outcome === 'unknown') throw new RequestNotFoundError(id);
      if (outcome === 'busy') throw new RequestStateError(await stateOf(id), 'only a waiting or delayed request can be cancelled');
      res.json({ status: true, id, state: 'cancelled' });
    }),
  };
}

/** The id in the route, checked as request and schedule ids are. */
export function idParam(req: Request): string {
  const id = String(req.params['id'] ?? '');
  const problem = checkRequestId(id);
  if (problem !== undefined) throw new InvalidRequestError({ id: problem });
  return id;
}
