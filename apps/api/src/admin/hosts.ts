import express, { type NextFunction, type Request, type Response } from 'express';
import type { Config } from '@knocker/config';
import { LISTED_KEYS } from '@knocker/contract';
import { createWaker, FlowControlOffError, flowEnabled, type FlowStore } from '@knocker/flow';
import { checkFlowKey, InvalidRequestError } from '@knocker/protocol';
import { withinDeadline, type RequestStore } from '@knocker/queue';

export interface HostsDeps {
  flow: FlowStore;
  /** Where parked deliveries are woken when a key is resumed. */
  store: Pick<RequestStore, 'deliveryQueues'>;
  config: Pick<Config, 'flow' | 'redis'>;
}

/** GET /hosts: flow keys with work; POST /hosts/<key>/pause and /resume. Behind the admin key. */
export function createHostsRouter(deps: HostsDeps): express.Router {
  const router = express.Router();
  const { flow } = deps;
  const settings = deps.config.flow;
  const redis = <T>(work: Promise<T>) => withinDeadline(work, deps.config.redis.timeoutMs);
  const wake = createWaker(() => deps.store.deliveryQueues());

  router.get('/', async (_req, res, next) => {
    try {
      const hosts = (await redis(flow.list(LISTED_KEYS))).sort((a, b) => b.waiting - a.waiting || b.in_flight - a.in_flight);
      res.json({
        status: true,
        flow_control: flowEnabled(settings),
        defaults: settings.defaults,
        breaker: { failures: settings.breaker.failures, cooldown: settings.breaker.cooldownMs / 1000, cooldown_max: settings.breaker.cooldownMaxMs / 1000 },
        hosts,
      });
    } catch (err) {
      next(err);
    }
  });
  const pause = (paused: boolean) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      const key = String(req.params['key'] ?? '');
      const problem = checkFlowKey(key);
      if (problem !== undefined) throw new InvalidRequestError({ key: problem });
      if (!flowEnabled(settings)) throw new FlowControlOffError();
      await wake(await redis(flow.setPaused(key, paused)));
      res.json({ status: true, key, paused });
    } catch (err) {
      next(err);
    }
  };
  router.post('/:key/pause', pause(true));
  router.post('/:key/resume', pause(false));
  return router;
}
