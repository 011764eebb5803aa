import express from 'express';
import {
  DONE, EVENT_STATES, EVENT_STREAMS, decodeEventsCursor, encodeEventsCursor, eventOf, historyOf, readCount, readFilters, readIds,
  type FilterName, type StreamSlots,
} from '@knocker/qstash';
import { withinDeadline, type ListedRequest, type ListedState, type ListPage } from '@knocker/queue';
import { sendJson } from '../answer.js';
import type { DoorDeps } from './door.js';
import { alone, handle, queryOf, refuse } from './query.js';

const COUNT_DEFAULT = 100;
// What the SDK's types allow; QStash's API reference says 100.
const COUNT_MAX = 1000;
const IDS_MAX = 100;
const FILTERS: readonly FilterName[] = ['url', 'topicName', 'scheduleId', 'label', 'flowControlKey', 'host', 'path', 'fromDate', 'toDate', 'queueName', 'callerIp'];

/**
 * `GET /v2/events` (the SDK's `logs`): each stored message as its latest entry, newest first,
 * merged from the listings of each state Knocker keeps; the cursor holds each listing's place.
 * For named messages (`messageIds`), every entry Knocker can tell of each.
 */
export function createEvents(deps: DoorDeps): express.Router {
  const bounded = <T>(work: Promise<T>) => withinDeadline(work, deps.config.redis.timeoutMs);
  const router = express.Router();
  router.get('/', handle(async (req, res) => {
    const params = queryOf(req);
    const errors: Record<string, string> = {};
    const count = readCount(params, COUNT_DEFAULT, COUNT_MAX, errors);
    if (params.has('messageIds') || params.has('messageId')) {
      // `messageId` is the SDK's older filter for one message.
      const ids = readIds(params, 'messageIds', IDS_MAX, errors, 'messageId');
      alone(params, 'messageIds', ['count', 'messageId'], errors);
      refuse(errors);
      const found = await Promise.all(ids.map((id) => bounded(deps.store.find(id))));
      const events = found.flatMap((f) => (f ? historyOf(f) : [])).sort((a, b) => b.time - a.time).slice(0, count);
      return sendJson(res, 200, { events });
    }
    const rawState = params.get('state');
    const wanted = rawState !== null && Object.hasOwn(EVENT_STATES, rawState) ? EVENT_STATES[rawState] : undefined;
    if ((rawState !== null && wanted === undefined) || params.getAll('state').length > 1) {
      errors['state'] = `must be one of ${Object.keys(EVENT_STATES).join(', ')}: Knocker lists no active message and no attempt on its own`;
    }
    const { filters } = readFilters(params, FILTERS, ['count', 'cursor', 'state'], errors);
    const rawCursor = params.get('cursor');
    const slots = rawCursor === null ? {} : decodeEventsCursor(rawCursor);
    if (slots === undefined || params.getAll('cursor').length > 1) errors['cursor'] = 'is not a cursor this Knocker gave: pass back the one the last page answered';
    refuse(errors);

    const retried = wanted?.retried;
    const match = retried === undefined ? filters.match
      : (r: ListedRequest) => (r.lastAttempt !== undefined) === retried && (filters.match?.(r) ?? true);
    const streams = (wanted?.states ?? EVENT_STREAMS).filter((s) => slots![s] !== DONE);
    const pages = await Promise.all(streams.map((state) => deps.store.list({ state, filters: { ...filters, match }, limit: count, cursor: slots![state], each: true })));
    const { taken, next } = merge(streams, pages, count);
    const left = { ...slots, ...next };
    const more = (wanted?.states ?? EVENT_STREAMS).some((s) => left[s] !== DONE);
    sendJson(res, 200, { events: taken.map(eventOf), ...(more ? { cursor: encodeEventsCursor(fill(left, wanted?.states)) } : {}) });
  }));
  return router;
}

// The stream's own order: what it is filed by in the store.
const orderOf = (r: ListedRequest) => r.endedAt ?? r.dueAt ?? r.acceptedAt;

/** The newest `count` of the pages' requests, and where each listing resumes after what was taken. */
function merge(streams: readonly ListedState[], pages: readonly ListPage[], count: number): { taken: ListedRequest[]; next: StreamSlots } {
  const heads = pages.map(() => 0);
  const taken: ListedRequest[] = [];
  while (taken.length < count) {
    let best = -1;
    for (let i = 0; i < pages.length; i += 1) {
      const r = pages[i]!.requests[heads[i]!];
      if (r !== undefined && (best < 0 || orderOf(r) > orderOf(pages[best]!.requests[heads[best]!]!))) best = i;
    }
    if (best < 0) break;
    taken.push(pages[best]!.requests[heads[best]!]!);
    heads[best]! += 1;
  }
  const next: StreamSlots = {};
  streams.forEach((state, i) => {
    const page = pages[i]!;
    const k = heads[i]!;
    if (k === page.requests.length) next[state] = page.cursor ?? DONE;
    else if (k > 0) next[state] = page.after![k - 1]!;
  });
  return { taken, next };
}

// Listings a state filter leaves out are done for this walk.
function fill(slots: StreamSlots, walked: readonly ListedState[] | undefined): StreamSlots {
  if (walked === undefined) return slots;
  return Object.fromEntries(EVENT_STREAMS.map((s) => [s, walked.includes(s) ? slots[s] : DONE]).filter(([, v]) => v !== undefined));
}
