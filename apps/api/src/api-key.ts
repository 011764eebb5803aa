import type { NextFunction, Request, Response } from 'express';
import { API_KEY_HEADER, secretsEqual, UnauthorizedError } from '@knocker/protocol';

/**
 * With KNOCKER_API_KEYS set, relaying needs one of the keys in `Knocker-Api-Key`. Every key is
 * compared, in constant time, so timing tells nothing about which one nearly matched.
 */
export function createApiKeyCheck(keys: readonly string[]) {
  return function checkApiKey(req: Request, _res: Response, next: NextFunction): void {
    if (keys.length === 0) return next();
    const given = req.headersDistinct[API_KEY_HEADER] ?? [];
    if (given.length !== 1 || given[0] === undefined) {
      const problem = given.length === 0 ? 'is required: this Knocker relays only requests that carry one of its api keys' : 'must be given once';
      return next(new UnauthorizedError({ [API_KEY_HEADER]: problem }));
    }
    const presented = given[0];
    const matched = keys.reduce((found, key) => secretsEqual(presented, key) || found, false);
    next(matched ? undefined : new UnauthorizedError({ [API_KEY_HEADER]: 'is not a valid api key' }));
  };
}
