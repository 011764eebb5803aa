import type { NextFunction, Request, Response } from 'express';
import { secretsEqual } from '@knocker/protocol';
import { AdminDisabledError, AdminKeyError } from '../errors.js';

/**
 * Lets a request through only with `Knocker-Admin-Key` equal to ADMIN_API_KEY (compared in
 * constant time). Without ADMIN_API_KEY the admin routes are off and say so with a 403.
 */
export function requireAdminKey(adminApiKey: string) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (adminApiKey === '') return next(new AdminDisabledError());
    const presented = req.get('knocker-admin-key');
    if (presented === undefined || presented === '') return next(new AdminKeyError(false));
    if (!secretsEqual(presented, adminApiKey)) return next(new AdminKeyError(true));
    next();
  };
}
