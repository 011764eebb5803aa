import type { NextFunction, Request, Response } from 'express';
import { secretsEqual } from '@knocker/protocol';
import { UnauthorizedError } from '../errors.js';

/**
 * `Authorization: Bearer <token>` against QSTASH_TOKENS, every token compared in constant
 * time. A refusal is a 401 the door answers as `{"error": ...}`.
 */
export function createBearerCheck(tokens: readonly string[]) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const header = req.headers.authorization;
    const presented = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    if (presented === undefined || presented === '') return next(new UnauthorizedError({ authorization: 'is required: Bearer <one of QSTASH_TOKENS>' }));
    const matched = tokens.reduce((found, token) => secretsEqual(presented, token) || found, false);
    next(matched ? undefined : new UnauthorizedError({ authorization: 'is not a valid QStash token here' }));
  };
}
