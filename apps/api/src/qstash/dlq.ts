import express, { type NextFunction, type Request, type Response } from 'express';
import { QstashRequestError, dlqMessageOf } from '@knocker/qstash';
import { withinDeadline } from '@knocker/queue';
import { sendJson } from '../answer.js';
import type { DoorDeps } from './door.js';

type Work = (req: Request, res: Response) => Promise<void>;
const COUNT_MAX = 100;
const IDS_MAX = 100;

/**
 * QStash's DLQ on Knocker's failed requests: the list walks them oldest first with the store's
 * cursor, and a retry replays a failed request under its own id (QStash gives a new one).
 */
export function createDlq(deps: DoorDeps): express.Router {
  const bounded = <T>(work: Promise<T>) => withinDeadline(work, deps.config.redis.timeoutMs);
  const handle = (work: Work) => (req: Request, res: Response, next: NextFunction) => void work(req, res).catch(next);
  const router = express.Router();

  router.get('/', handle(async (req, res) => {
    const query = queryOf(req);
    const unknown = [...query.keys()].filter((k) => k !== 'count' && k !== 'cursor');
    if (unknown.length > 0) throw new QstashRequestError(Object.fromEntries(unknown.map((k) => [k, 'is not supported here: the DLQ lists every failed message'])));
    const count = readCount(query.get('count'));
    const cursor = query.get('cursor') ?? undefined;
    const page = await bounded(deps.store.list({ state: 'failed', filters: { since: 0, until: Date.now() }, limit: count, cursor }));
    sendJson(res, 200, { messages: page.requests.map(dlqMessageOf), ...(page.cursor === undefined ? {} : { cursor: page.cursor }) });
  }));
  router.post('/retry', handle(async (req, res) => {
    const ids = queryOf(req).getAll('dlqIds');
    if (ids.length === 0 || ids.length > IDS_MAX) throw new QstashRequestError({ dlqIds: `must name 1 to ${IDS_MAX} messages (filters are not supported here)` });
    const responses: Array<{ messageId: string }> = [];
    for (const id of ids) if ((await bounded(deps.store.replay(id))) === 'replayed') responses.push({ messageId: id });
    sendJson(res, 200, { responses });
  }));
  return router;
}

function queryOf(req: Request): URLSearchParams {
  const at = req.url.indexOf('?');
  return new URLSearchParams(at === -1 ? '' : req.url.slice(at + 1));
}

function readCount(raw: string | null): number {
  if (raw === null) return COUNT_MAX;
  if (/^\d{1,4}$/.test(raw) && Number(raw) >= 1 && Number(raw) <= COUNT_MAX) return Number(raw);
  throw new QstashRequestError({ count: `must be a whole number from 1 to ${COUNT_MAX}` });
}
