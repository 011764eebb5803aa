import type { NextFunction, Request, Response } from 'express';
import { checkOrderKey, InvalidRequestError } from '@knocker/protocol';
import type { RequestStore } from '@knocker/queue';

/** GET /order-keys/<key>: the head of the key's line and how many wait behind it. Behind the admin key. */
export function createOrderKeyHandler(store: Pick<RequestStore, 'orderLine'>) {
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      const key = String(req.params['key'] ?? '');
      const problem = checkOrderKey(key);
      if (problem !== undefined) throw new InvalidRequestError({ key: problem });
      res.json({ status: true, ...(await store.orderLine(key)) });
    } catch (err) {
      next(err);
    }
  };
}
