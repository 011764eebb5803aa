import type { NextFunction, Request, Response } from 'express';
import { checkRequestId, InvalidRequestError } from '@knocker/protocol';
import type { LogLimits, RequestStore } from '@knocker/queue';
import { readBody } from '../ingress/body.js';
import { RequestLogFullError, RequestNotFoundError } from '../errors.js';

/**
 * `POST <prefix>/log?id=<id>`: the body, as text, becomes one line of that request's log,
 * the way a Direktiv function logs with `/log?aid=`.
 */
export function createRequestLogHandler(store: Pick<RequestStore, 'appendLog'>, limits: LogLimits) {
  const { maxLines, maxBytes } = limits;
  return async function requestLog(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      const id = idOf(req.originalUrl);
      const body = await readBody(req, maxBytes, () => new RequestLogFullError({ body: `a line must be at most ${maxBytes} bytes (REQUEST_LOG_MAX_BYTES)` }));
      const text = body.toString('utf8').replace(/\r?\n$/, '');
      if (text === '') throw new InvalidRequestError({ body: 'must be the text of the log line' });
      const outcome = await store.appendLog(id, text, limits);
      if (outcome === 'unknown') throw new RequestNotFoundError(id);
      if (outcome === 'too-many-lines') throw new RequestLogFullError({ log: `request #${id} already has ${maxLines} lines (REQUEST_LOG_MAX_LINES)` });
      if (outcome === 'too-large') throw new RequestLogFullError({ log: `request #${id} would have more than ${maxBytes} bytes of log (REQUEST_LOG_MAX_BYTES)` });
      res.json({ status: true, id, lines: outcome.lines });
    } catch (err) {
      next(err);
    }
  };
}

// Percent-escapes are decoded but '+' stays a '+': it is a legal character of ids.
function idOf(originalUrl: string): string {
  const query = originalUrl.includes('?') ? originalUrl.slice(originalUrl.indexOf('?') + 1) : '';
  const values = query.split('&').filter((p) => p.split('=')[0] === 'id').map((p) => p.slice(3));
  if (values.length === 0) throw new InvalidRequestError({ id: 'is required: POST the line to this path with ?id=<request id>' });
  if (values.length > 1) throw new InvalidRequestError({ id: 'must be given once' });
  let id: string;
  try {
    id = decodeURIComponent(values[0] ?? '');
  } catch {
    throw new InvalidRequestError({ id: 'has a malformed %-escape' });
  }
  const problem = checkRequestId(id);
  if (problem !== undefined) throw new InvalidRequestError({ id: problem });
  return id;
}
