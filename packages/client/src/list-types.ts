import type { ReplayFilter } from './admin-types.js';
import { knockerHeaders, type KnockOptions } from './options.js';
import type { KnockAccepted, KnockDuplicate } from './types.js';

/** The states a listing walks. */
export type ListedState = 'failed' | 'delivered' | 'waiting' | 'delayed' | 'cancelled';

export interface ListQuery extends Omit<ReplayFilter, 'limit'> {
  /** Default `failed`: the dead letters. */
  state?: ListedState;
  /** Requests per page: 1 to 1000, default 100. */
  limit?: number;
  /** What the previous page answered. */
  cursor?: string;
}

/** One request of a listing. */
export interface ListedRequest {
  id: string;
  state: ListedState;
  method: string;
  /** The target. */
  url: string;
  /** Of the last attempt; null before the first. */
  status_code: number | null;
  error: string | null;
  /** What the target reported in Knocker-Error-Code. */
  error_code: string | null;
  attempts: number;
  accepted_at: string;
  /** When it failed, was delivered or was cancelled; null while it waits. */
  ended_at: string | null;
  due_at?: string;
  group?: string;
  order_key?: string;
}

export interface RequestPage {
  status: true;
  /** Newest first. */
  requests: ListedRequest[];
  /** Absent on the last page. */
  cursor?: string;
}

export interface BulkDelete {
  status: true;
  deleted: number;
  /** More may match: call again. */
  more: boolean;
  ids: string[];
}

export interface Removed {
  status: true;
  id: string;
  state: 'removed';
}

export interface BatchAnswer {
  status: true;
  /** Each request's answer, in the batch's order. */
  results: Array<KnockAccepted | KnockDuplicate>;
}

const time = (t: Date | number | string | undefined) => (t instanceof Date ? t.toISOString() : t);

/** The query string of a listing. */
export function listQuery(q: ListQuery): string {
  const params = new URLSearchParams();
  const entries: Array<[string, unknown]> = [['state', q.state], ['host', q.host], ['flow_key', q.flowKey], ['since', time(q.since)], ['until', time(q.until)],
    ['status_code', q.statusCode], ['group', q.group], ['order_key', q.orderKey], ['limit', q.limit], ['cursor', q.cursor]];
  for (const [name, value] of entries) if (value !== undefined) params.set(name, String(value));
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

/** One request of a batch, as the api reads it: the target's headers and Knocker's in one object. */
export function batchItem(k: KnockOptions): Record<string, unknown> {
  if (k.cron !== undefined) throw new TypeError('a batch takes no cron: send a schedule with knock()');
  const target = new URL(k.url);
  const headers: Record<string, string[]> = {};
  const own: Array<[string, string]> = k.headers === undefined ? [] : k.headers instanceof Headers ? [...k.headers.entries()] : Array.isArray(k.headers) ? k.headers : Object.entries(k.headers);
  for (const [name, value] of [...own.filter(([n]) => !n.toLowerCase().startsWith('knocker-')), ...knockerHeaders(k)]) (headers[name] ??= []).push(value);
  const item: Record<string, unknown> = { method: (k.method ?? 'POST').toUpperCase(), url: `${target.pathname}${target.search}`, headers };
  const { body } = k;
  if (body === undefined) return item;
  if (typeof body === 'string') return { ...item, body };
  if (body instanceof Uint8Array || body instanceof ArrayBuffer) return { ...item, body_base64: Buffer.from(body instanceof ArrayBuffer ? new Uint8Array(body) : body).toString('base64') };
  if (body instanceof URLSearchParams) return { ...item, body: body.toString() };
  if (body instanceof Blob || body instanceof ReadableStream) throw new TypeError('a batch takes bodies as text, bytes or JSON values, not streams');
  if (!own.some(([n]) => n.toLowerCase() === 'content-type')) headers['content-type'] = ['application/json'];
  return { ...item, body: JSON.stringify(body) };
}
