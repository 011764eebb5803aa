import type { NextFunction, Request, Response } from 'express';
import { TooManyRequestsError, type OverloadedError } from '../errors.js';
import { SHED_MIN_INFLIGHT, type LoadGuard } from './overload.js';

export { SHED_MIN_INFLIGHT };

/**
 * The door of every path that relays: past capacity (the load guard) or past of-watchdog's
 * max_inflight, refuse at once instead of queueing in memory.
 */
export interface InflightGate {
  /** Counts the request in, or returns why it must be refused. */
  enter(): TooManyRequestsError | OverloadedError | undefined;
  /** A request let in was answered, `ms` after it arrived. */
  leave(ms: number): void;
}

export function createInflightGate(max: number, guard?: Pick<LoadGuard, 'refusal' | 'underWay' | 'answered'>): InflightGate {
  let inflight = 0;
  return {
    enter() {
      if (guard && inflight >= SHED_MIN_INFLIGHT) {
        const shed = guard.refusal();
        if (shed) return shed;
      }
      if (max !== 0 && inflight >= max) return new TooManyRequestsError(max);
      inflight++;
      guard?.underWay(inflight);
      return undefined;
    },
    leave(ms) {
      inflight--;
      guard?.underWay(inflight);
      guard?.answered(ms);
    },
  };
}

/** The gate as express middleware; the request leaves it when its answer ends. */
export function inflightLimit(gate: InflightGate) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const arrived = performance.now();
    const refused = gate.enter();
    if (refused) return next(refused);
    let released = false;
    const release = () => {
      if (!released) gate.leave(performance.now() - arrived);
      released = true;
    };
    res.once('finish', release).once('close', release);
    next();
  };
}
