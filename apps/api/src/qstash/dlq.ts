import express, { type Request } from 'express';
import { dlqMessageOf, readCount, readFilters, readIds, type FilterName } from '@knocker/qstash';
import { withinDeadline, type Inspection, type ListedRequest, type ListPage } from '@knocker/queue';
import { sendJson } from '../answer.js';
import { DoorError, type DoorDeps } from './door.js';
import { alone, handle, queryOf, refuse } from './query.js';

const COUNT_MAX = 100;
const IDS_MAX = 100;
const FILTERS: readonly FilterName[] = [
  'url', 'topicName', 'scheduleId', 'queueName', 'label', 'flowControlKey', 'callerIp', 'responseStatus', 'fromDate', 'toDate', 'messageId',
];

/**
 * QStash's DLQ on Knocker's failed requests, newest failure first with the store's cursor. A
 * failed message's `dlqId` is its id; a retry replays it under that id (QStash gives a new one).
 */
export function createDlq(deps: DoorDeps): express.Router {
  const bounded = <T>(work: Promise<T>) => withinDeadline(work, deps.config.redis.timeoutMs);
  const router = express.Router();
  const failed = async (id: string): Promise<Inspection | undefined> => {
    const found = await bounded(deps.store.find(id));
    return found?.state === 'failed' ? found : undefined;
  };
  // The ids named (`dlqIds`), or a page of the failed requests the filters match, with its cursor.
  const target = async (req: Request, defaultCount: number): Promise<{ ids: string[] } | ListPage> => {
    const params = queryOf(req);
    const errors: Record<string, string> = {};
    if (params.has('dlqIds')) {
      const ids = readIds(params, 'dlqIds', IDS_MAX, errors);
      alone(params, 'dlqIds', ['count'], errors);
      refuse(errors);
      return { ids };
    }
    const count = readCount(params, defaultCount, COUNT_MAX, errors);
    const { filters } = readFilters(params, FILTERS, ['count', 'cursor'], errors);
    const cursor = params.get('cursor') ?? undefined;
    if (cursor === '' || params.getAll('cursor').length > 1) errors['cursor'] = 'must be the one cursor the last answer gave';
    refuse(errors);
    return deps.store.list({ state: 'failed', filters, limit: count, cursor });
  };
  const cursorOf = (t: { ids: string[] } | ListPage) => ('cursor' in t && t.cursor !== undefined ? { cursor: t.cursor } : {});

  router.get('/', handle(async (req, res) => {
    const found = await target(req, COUNT_MAX);
    const listed = 'ids' in found ? (await Promise.all(found.ids.map(failed))).flatMap((f) => (f ? [listedOf(f)] : [])) : found.requests;
    sendJson(res, 200, { messages: listed.map(dlqMessageOf), ...cursorOf(found) });
  }));
  router.delete('/', handle(async (req, res) => {
    const found = await target(req, COUNT_MAX);
    let deleted = 0;
    for (const id of 'ids' in found ? found.ids : found.requests.map((r) => r.id)) if (await remove(id)) deleted += 1;
    sendJson(res, 200, { deleted, ...cursorOf(found) });
  }));
  router.post('/retry', handle(async (req, res) => {
    const found = await target(req, COUNT_MAX);
    const responses: Array<{ messageId: string }> = [];
    for (const id of 'ids' in found ? found.ids : found.requests.map((r) => r.id)) {
      if ((await bounded(deps.store.replay(id))) === 'replayed') responses.push({ messageId: id });
    }
    sendJson(res, 200, { responses, ...cursorOf(found) });
  }));
  router.delete('/:dlqId', handle(async (req, res) => {
    const id = String(req.params['dlqId']);
    if (!(await remove(id))) throw new DoorError(404, `message ${id} is not in the DLQ`);
    sendJson(res, 200, { deleted: 1 });
  }));
  // Only a failed request is in the DLQ: a delivered or cancelled one under the same id stays.
  async function remove(id: string): Promise<boolean> {
    if ((await bounded(deps.store.stateOf(id))) !== 'failed') return false;
    return (await bounded(deps.store.removeFinished(id))) === 'removed';
  }
  return router;
}

/** A failed request found by id, as a listing would have shown it. */
function listedOf(f: Inspection): ListedRequest {
  return {
    id: f.id, state: 'failed', method: f.method, url: f.url, config: f.config, acceptedAt: Date.parse(f.created_at), lastAttempt: f.attempts.at(-1),
    ...(f.group === undefined ? {} : { group: f.group }),
  };
}
