import type { NextFunction, Request, Response } from 'express';
import { parseKnockRequest, QueueUnavailableError, type ProtocolLimits } from '@knocker/protocol';
import type { HttpMetrics } from '@knocker/metrics';
import { addDelivery, deliveryJobOptions, type AddOutcome, type DeliveryJob, type Queues, type Retention } from '@knocker/queue';
import type { Logger } from '@knocker/telemetry';
import { readBody } from './body.js';
import { withinDeadline } from './deadline.js';

export interface RelayDeps {
  limits: ProtocolLimits;
  queues: Pick<Queues, 'forId' | 'candidatesFor'>;
  /** False while the Redis connection is down: the api then answers 503 at once. */
  queueReady: () => boolean;
  retention: Retention;
  maxBodySize: number;
  redisTimeoutMs: number;
  logger: Logger;
  metrics: Pick<HttpMetrics, 'accepted'>;
}

/**
 * Accepts a request for delivery. Headers are checked before the body is read, and the
 * answer is sent only once the job is stored in Redis. A request whose id is still known is
 * not stored again: the answer describes the stored one and says `duplicate: true`.
 */
export function createRelayHandler(deps: RelayDeps) {
  return async function relay(req: Request, res: Response, next: NextFunction): Promise<void> {
    try {
      const knock = parseKnockRequest({ method: req.method, target: req.originalUrl, rawHeaders: req.rawHeaders }, deps.limits);
      const body = await readBody(req, deps.maxBodySize);
      if (!deps.queueReady()) throw new QueueUnavailableError('Redis is not connected');
      const job: DeliveryJob = { ...knock, body: body.toString('base64'), acceptedAt: Date.now() };
      const name = `${knock.method} ${knock.config.host}`;
      const opts = deliveryJobOptions(knock.config, deps.retention);
      // A delayed job waits in BullMQ's delayed set, in Redis: it keeps its time across restarts.
      if (knock.notBefore !== undefined) opts.delay = Math.max(0, knock.notBefore - Date.now());
      const shard = deps.queues.forId(knock.config.id);
      // A generated id is random (122 bits) and cannot be known yet: only an id the client
      // chose needs the duplicate check, which costs two more Redis commands.
      const added = await withinDeadline(
        req.headers['knocker-id'] === undefined
          ? shard.delivery.add(name, job, opts).then((): AddOutcome => ({ duplicate: false }))
          : addDelivery(shard.redis, shard.delivery, name, job, opts, deps.redisTimeoutMs, deps.queues.candidatesFor(knock.config.id).slice(1)),
        deps.redisTimeoutMs,
      );
      if (added.duplicate) {
        const { config, url, method, headers, body: stored } = added.existing;
        deps.logger.debug(`Request #${config.id} sent again: answered with the stored one`);
        res.json({ status: true, duplicate: true, config, url, method, headers, 'body-length': Buffer.byteLength(stored, 'base64'), ...notBefore(added.existing) });
        return;
      }
      deps.metrics.accepted.inc();
      deps.logger.debug(`Request #${knock.config.id} accepted: "${knock.method} ${knock.url}"`);
      res.json({ status: true, config: knock.config, url: knock.url, method: knock.method, headers: knock.headers, 'body-length': body.length, ...notBefore(knock) });
    } catch (err) {
      next(err);
    }
  };
}

// Only a delayed request says when it starts: a plain one is answered exactly as before.
function notBefore(knock: { notBefore?: number }): { not_before?: string } {
  return knock.notBefore === undefined ? {} : { not_before: new Date(knock.notBefore).toISOString() };
}
