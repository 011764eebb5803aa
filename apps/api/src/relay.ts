import type { NextFunction, Request, Response } from 'express';
import { parseKnockRequest, QueueUnavailableError, type ProtocolLimits } from '@knocker/protocol';
import { deliveryJobOptions, type DeliveryJob, type Queues, type Retention } from '@knocker/queue';
import type { Logger } from '@knocker/telemetry';
import { readBody } from './body.js';
import { withinDeadline } from './deadline.js';

export interface RelayDeps {
  limits: ProtocolLimits;
  queues: Pick<Queues, 'delivery'>;
  /** False while the Redis connection is down: the api then answers 503 at once. */
  queueReady: () => boolean;
  retention: Retention;
  maxBodySize: number;
  redisTimeoutMs: number;
  logger: Logger;
}

/**
 * Accepts a request for delivery. Headers are checked before the body is read, and the
 * answer is sent only once the job is stored in Redis.
 */
export function createRelayHandler(deps: RelayDeps) {
  return async function relay(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      const knock = parseKnockRequest({ method: req.method, target: req.originalUrl, rawHeaders: req.rawHeaders }, deps.limits);
      const body = await readBody(req, deps.maxBodySize);
      if (!deps.queueReady()) throw new QueueUnavailableError('Redis is not connected');
      const job: DeliveryJob = { ...knock, body: body.toString('base64'), acceptedAt: Date.now() };
      await withinDeadline(
        deps.queues.delivery.add(`${knock.method} ${knock.config.host}`, job, deliveryJobOptions(knock.config, deps.retention)),
        deps.redisTimeoutMs,
      );
      deps.logger.debug(`Request #${knock.config.id} accepted: "${knock.method} ${knock.url}"`);
      res.json({ status: true, config: knock.config, url: knock.url, method: knock.method, headers: knock.headers, 'body-length': body.length });
    } catch (err) {
      next(err);
    }
  };
}
