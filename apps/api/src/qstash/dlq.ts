import express, { type Request } from 'express';
import { carriedOf, dlqMessageOf, readCount, readFilters, readIds, type FilterName } from '@knocker/qstash';
import { withinDeadline, type Inspection, type ListedRequest, type ListPage } from '@knocker/queue';
import { sendJson } from '../answer.js';
import { DoorError, type DoorDeps } from './door.js';
import { alone, handle, queryOf, refuse } from './query.js';

const COUNT_MAX = 100;
const IDS_MAX = 100;
// Bytes of bodies (as stored, base64) one answer carries, each body within MAX_BODY_SIZE: a page
// that would pass it ends early with its cursor; past it, entries named by dlqIds come without
// their header and body.
export const BODY_BYTES_MAX = 8 * 1024 * 1024;
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
    return deps.store.list({ state: 'failed', filters, limit: count, cursor, each: true });
  };
  const cursorOf = (t: { ids: string[] } | ListPage) => ('cursor' in t && t.cursor !== undefined ? { cursor: t.cursor } : {});

  router.get('/', handle(async (req, res) => {
    const found = await target(req, COUNT_MAX);
    if ('ids' in found) {
      const listed = (await Promise.all(found.ids.map(failed))).flatMap((f) => (f ? [listedOf(f)] : []));
      return sendJson(res, 200, { messages: (await withCarried(listed, false)).messages });
    }
    // Read one at a time: what is held at once stays within the bound and one body.
    const { messages, cut } = await withCarried(found.requests, true);
    const cursor = cut === undefined ? found.cursor : found.after?.[cut - 1];
    sendJson(res, 200, { messages, ...(cursor === undefined ? {} : { cursor }) });
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
  // Each entry with its header and body, until BODY_BYTES_MAX: then cut (before entry `cut`), or go on without them.
  async function withCarried(listed: readonly ListedRequest[], canCut: boolean): Promise<{ messages: Array<Record<string, unknown>>; cut?: number }> {
    const messages: Array<Record<string, unknown>> = [];
    let bytes = 0;
    for (const [i, r] of listed.entries()) {
      const stored = bytes < BODY_BYTES_MAX ? await bounded(deps.store.stored(r.id)) : undefined;
      if (canCut && i > 0 && (stored === undefined ? bytes >= BODY_BYTES_MAX : bytes + stored.body.length > BODY_BYTES_MAX)) return { messages, cut: i };
      bytes += stored?.body.length ?? 0;
      messages.push({ ...dlqMessageOf(r), ...(stored === undefined ? {} : carriedOf(r.id, r.url, stored)) });
    }
    return { messages };
  }
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
