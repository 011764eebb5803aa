import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../errors.js';

const digest = (secret: string): Buffer => createHash('sha256').update(secret).digest();

/**
 * `Authorization: Bearer <token>` against QSTASH_TOKENS, every token compared in constant
 * time. Returns the refusal, a 401 the door answers as `{"error": ...}`, if any.
 */
export function createBearerCheck(tokens: readonly string[]): (req: IncomingMessage) => UnauthorizedError | undefined {
  // Digests of equal length compare in constant time; the tokens' are taken once, not on every publish.
  const expected = tokens.map(digest);
  return (req) => {
    const header = req.headers.authorization;
    const presented = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (presented === undefined || presented === '') return new UnauthorizedError({ authorization: 'is required: Bearer <one of QSTASH_TOKENS>' });
    const given = digest(presented);
    const matched = expected.reduce((found, token) => timingSafeEqual(given, token) || found, false);
    return matched ? undefined : new UnauthorizedError({ authorization: 'is not a valid QStash token here' });
  };
}

/** The check as express middleware, for the door's other routes. */
export function bearerMiddleware(check: ReturnType<typeof createBearerCheck>) {
  return (req: Request, _res: Response, next: NextFunction): void => next(check(req));
}
