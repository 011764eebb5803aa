import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { API_KEY_HEADER, secretsEqual } from '@knocker/protocol';
import { UnauthorizedError } from '../errors.js';

/**
 * With KNOCKER_API_KEYS set, relaying needs one of the keys in `Knocker-Api-Key`. Every key is
 * compared, in constant time, so timing tells nothing about which one nearly matched.
 * Returns the refusal, if any.
 */
export function createApiKeyCheck(keys: readonly string[]): (req: IncomingMessage) => UnauthorizedError | undefined {
  return function checkApiKey(req) {
    if (keys.length === 0) return undefined;
    const given = req.headersDistinct[API_KEY_HEADER] ?? [];
    if (given.length !== 1 || given[0] === undefined) {
      const problem = given.length === 0 ? 'is required: this Knocker relays only requests that carry one of its api keys' : 'must be given once';
      return new UnauthorizedError({ [API_KEY_HEADER]: problem });
    }
    const presented = given[0];
    const matched = keys.reduce((found, key) => secretsEqual(presented, key) || found, false);
    return matched ? undefined : new UnauthorizedError({ [API_KEY_HEADER]: 'is not a valid api key' });
  };
}

/** The check as express middleware. */
export function apiKeyMiddleware(check: (req: IncomingMessage) => UnauthorizedError | undefined) {
  return (req: Request, _res: Response, next: NextFunction): void => next(check(req));
}

/**
 * The check, with ADMIN_API_KEY as a key too: for what writes to Knocker outside relaying (log
 * lines), which its operators may do as well as its callers. A refusal names the api key.
 */
export function apiOrAdminKeyMiddleware(check: (req: IncomingMessage) => UnauthorizedError | undefined, adminApiKey: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    const refused = check(req);
    const admin = req.get('knocker-admin-key');
    if (refused && adminApiKey !== '' && admin !== undefined && secretsEqual(admin, adminApiKey)) return next();
    next(refused);
  };
}
