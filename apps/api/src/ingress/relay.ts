import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseKnockRequest, type CronSpec, type KnockRequest, type ProtocolLimits } from '@knocker/protocol';
import type { HttpMetrics } from '@knocker/metrics';
import { QueueUnavailableError, type RequestStore } from '@knocker/queue';
import type { Logger } from '@knocker/telemetry';
import type { Span, Tracing } from '@knocker/tracing';
import { sendJson } from '../answer.js';
import { acceptedAnswer, duplicateAnswer, jobOf } from './accept.js';
import { readBody } from './body.js';
import { describeKnock, endAcceptSpan, startAcceptSpan } from './accept-span.js';

export interface RelayDeps {
  limits: ProtocolLimits;
  store: Pick<RequestStore, 'add' | 'stateOf'>;
  /** False while the Redis connection is down: the api then answers 503 at once. */
  queueReady: () => boolean;
  maxBodySize: number;
  logger: Logger;
  /** Off (`noTracing`): the relay takes the path it takes without tracing, not one call more. */
  tracing: Tracing;
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
  const { limits, store, maxBodySize, logger, metrics, tracing } = deps;
  async function relay(req: IncomingMessage, res: ServerResponse, span?: Span): Promise<void> {
    const knock = parseKnockRequest({ method: req.method ?? 'GET', target: (req as { originalUrl?: string }).originalUrl ?? req.url ?? '/', rawHeaders: req.rawHeaders }, limits);
    const body = await readBody(req, maxBodySize);
    if (!deps.queueReady()) throw new QueueUnavailableError('Redis is not connected');
    if (knock.cron !== undefined) return deps.acceptSchedule({ ...knock, cron: knock.cron }, body, res);
    if (knock.group !== undefined) return deps.acceptGroup({ ...knock, group: knock.group }, body, req.headers['knocker-id'] !== undefined, res);
    const job = jobOf(knock, body);
    if (span) {
      describeKnock(span, knock);
      job.trace = span.traceparent;
    }
    // A generated id is random (122 bits) and cannot be known yet: only an id the client
    // chose needs the duplicate check, which costs two more Redis commands.
    const added = await store.add(job, { checkDuplicate: req.headers['knocker-id'] !== undefined });
    if (added.duplicate) {
      const answer = await duplicateAnswer(store, knock.config.id);
      logger.debug(`Request #${knock.config.id} sent again: answered with its state, ${answer.state}`, span?.logIds);
      sendJson(res, 200, answer);
      return;
    }
    metrics.accepted.inc();
    logger.debug(`Request #${knock.config.id} accepted: "${knock.method} ${knock.url}"`, span?.logIds);
    sendJson(res, 200, acceptedAnswer(knock, body.length));
  }
  if (!tracing.enabled) return relay;
  return async function tracedRelay(req, res) {
    const span = startAcceptSpan(tracing, req);
    try {
      await relay(req, res, span);
      endAcceptSpan(span);
    } catch (err) {
      endAcceptSpan(span, err ?? new Error('refused'));
      throw err;
    }
  };
}
