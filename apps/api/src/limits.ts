import type { NextFunction, Request, Response } from 'express';
import { TooManyRequestsError } from '@knocker/protocol';

/** of-watchdog's max_inflight: past the limit, refuse at once instead of queueing in memory. */
export function inflightLimit(max: number) {
  let inflight = 0;
  return (_req: Request, res: Response, next: NextFunction): void => {
    if (max === 0) return next();
    if (inflight >= max) return next(new TooManyRequestsError(max));
    inflight++;
    let released = false;
    const release = () => {
      if (!released) inflight--;
      released = true;
    };
    res.once('finish', release).once('close', release);
    next();
  };
}

/**
 * of-watchdog's write_timeout: an answer not finished in time is cut short (504 when nothing
 * was sent yet), so a stuck handler cannot hold a connection forever.
 */
export function writeTimeout(ms: number) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const timer = setTimeout(() => {
      if (res.headersSent) res.destroy();
      else res.status(504).set('connection', 'close').json({ status: false, code: 'write_timeout', errors: { server: `no answer within ${ms} ms (WRITE_TIMEOUT)` } });
    }, ms);
    const clear = () => clearTimeout(timer);
    res.once('finish', clear).once('close', clear);
    next();
  };
}
