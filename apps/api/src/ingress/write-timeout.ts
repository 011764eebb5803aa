import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { ApiError } from '@knocker/contract';
import { sendError } from '../answer.js';

/** of-watchdog's write_timeout: what a request not answered in time gets. */
export function answerWriteTimeout(res: ServerResponse, ms: number): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.setHeader('connection', 'close');
  sendError(res, new ApiError('write_timeout', { server: `no answer within ${ms} ms (WRITE_TIMEOUT)` }));
}

/**
 * of-watchdog's write_timeout: an answer not finished in time is cut short (504 when nothing
 * was sent yet), so a stuck handler cannot hold a connection forever.
 */
export function writeTimeout(ms: number) {
  return (_req: Request, res: Response, next: NextFunction): void => {
    const timer = setTimeout(answerWriteTimeout, ms, res, ms);
    const clear = () => clearTimeout(timer);
    res.once('finish', clear).once('close', clear);
    next();
  };
}
