import type { NextFunction, Request, Response } from 'express';
import { checkRequestId, InvalidRequestError } from '@knocker/protocol';
import type { RequestState, RequestStore } from '@knocker/queue';
import { RequestNotFoundError, RequestStateError } from '../errors.js';

type Handler = (req: Request, res: Response, next: NextFunction) => Promise<void>;

/** GET, replay and delete of one stored request, by the id in the path. */
export function createRequestHandlers(store: Pick<RequestStore, 'find' | 'stateOf' | 'replay' | 'cancel' | 'removeFinished'>): Record<'inspect' | 'replay' | 'remove', Handler> {
  const stateOf = async (id: string): Promise<RequestState> => {
    const state = await store.stateOf(id);
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
      const view = await store.find(id);
      if (view === undefined) throw new RequestNotFoundError(id);
      res.json({ status: true, ...view });
    }),
    replay: handle(async (id, res) => {
      const outcome = await store.replay(id);
      if (outcome === 'unknown') throw new RequestNotFoundError(id);
      if (outcome === 'not-failed') throw new RequestStateError(await stateOf(id), 'only a failed request can be retried');
      res.json({ status: true, id, state: 'waiting' });
    }),
    // A waiting or delayed request is cancelled (it stays, to be inspected); a finished one is removed.
    remove: handle(async (id, res) => {
      const outcome = await store.cancel(id);
      if (outcome === 'unknown') throw new RequestNotFoundError(id);
      if (outcome === 'cancelled') return void res.json({ status: true, id, state: 'cancelled' });
      const removed = await store.removeFinished(id);
      if (removed === 'unknown') throw new RequestNotFoundError(id);
      if (removed === 'busy') throw new RequestStateError(await stateOf(id), 'a request being delivered can be neither cancelled nor removed');
      res.json({ status: true, id, state: 'removed' });
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
