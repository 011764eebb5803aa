import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseKnockRequest, type CronSpec, type KnockRequest, type ProtocolLimits } from '@knocker/protocol';
import type { HttpMetrics } from '@knocker/metrics';
import { QueueUnavailableError, type DeliveryJob, type RequestStore } from '@knocker/queue';
import type { Logger } from '@knocker/telemetry';
import { sendJson } from '../answer.js';
import { readBody } from './body.js';

export interface RelayDeps {
  limits: ProtocolLimits;
  store: Pick<RequestStore, 'add' | 'stateOf'>;
  /** False while the Redis connection is down: the api then answers 503 at once. */
  queueReady: () => boolean;
  maxBodySize: number;
  logger: Logger;
  metrics: Pick<HttpMetrics, 'accepted'>;
  /** Stores the schedule of a request with `Knocker-Cron` and answers it. */
  acceptSchedule: (knock: KnockRequest & { cron: CronSpec }, body: Buffer, res: ServerResponse) => Promise<void>;
  /** Stores the copies of a request with `Knocker-Group` and answers it. */
  acceptGroup: (knock: KnockRequest & { group: string }, body: Buffer, checkDuplicate: boolean, res: ServerResponse) => Promise<void>;
}

/** Accepts one request and answers it; a refusal is thrown, for the caller to answer. */
export type Relay = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/**
 * Accepts a request for delivery. Headers are checked before the body is read, and the
 * answer is sent only once the job is stored in Redis. A request whose id is still known is
 * not stored again: the answer says `duplicate: true` and the stored one's state.
 * Plain node:http types: the relay path is served without express.
 */
export function createRelay(deps: RelayDeps): Relay {
  const { limits, store, maxBodySize, logger, metrics } = deps;
  return async function relay(req, res) {
    const knock = parseKnockRequest({ method: req.method ?? 'GET', target: (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/', rawHeaders: req.rawHeaders }, limits);
    const body = await readBody(req, maxBodySize);
    if (!deps.queueReady()) throw new QueueUnavailableError('Redis is not connected');
    if (knock.cron !== undefined) return deps.acceptSchedule({ ...knock, cron: knock.cron }, body, res);
    if (knock.group !== undefined) return deps.acceptGroup({ ...knock, group: knock.group }, body, req.headers['knocker-id'] !== undefined, res);
    const job: DeliveryJob = { ...knock, body: body.toString('base64'), acceptedAt: Date.now() };
    // A generated id is random (122 bits) and cannot be known yet: only an id the client
    // chose needs the duplicate check, which costs two more Redis commands.
    const added = await store.add(job, { checkDuplicate: req.headers['knocker-id'] !== undefined });
    if (added.duplicate) {
      // Whoever sends a known id learns that it is known, and how far it got: never what the
      // first caller sent (its headers may carry credentials), which the id alone does not entitle to.
      const { id } = knock.config;
      const state = await store.stateOf(id);
      if (state === undefined) throw new QueueUnavailableError(`request #${id} was removed (RETAIN_*) while it was being read`);
      logger.debug(`Request #${id} sent again: answered with its state, ${state}`);
      sendJson(res, 200, { status: true, duplicate: true, id, state });
      return;
    }
    metrics.accepted.inc();
    logger.debug(`Request #${knock.config.id} accepted: "${knock.method} ${knock.url}"`);
    const answer = { status: true, config: knock.config, url: knock.url, method: knock.method, headers: knock.headers, 'body-length': body.length };
    sendJson(res, 200, knock.notBefore === undefined ? answer : { ...answer, ...notBefore(knock) });
  };
}

// Only a delayed request says when it starts: a plain one is answered exactly as before.
function notBefore(knock: { notBefore?: number }): { not_before: string } {
  return { not_before: new Date(knock.notBefore ?? 0).toISOString() };
}

