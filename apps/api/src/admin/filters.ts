import { InvalidRequestError } from '@knocker/protocol';
import type { RequestFilters } from '@knocker/queue';

/** The filters the request routes take, by their names on the wire. */
export const FILTERS = ['host', 'flow_key', 'since', 'until', 'status_code', 'group', 'order_key', 'limit'] as const;

/**
 * Filters of bulk replay, bulk delete and listing: from a JSON object (a body) or from query
 * parameters, whose numbers arrive as text. Every wrong one is named; `extra` are further names
 * the caller reads itself. `maxLimit`: what `limit` may be, 100 when absent.
 */
export function readFilters(
  o: Readonly<Record<string, unknown>>, maxLimit: number, extra: readonly string[] = [],
): RequestFilters & { limit: number } {
  const errors: Record<string, string> = {};
  const known = [...FILTERS, ...extra];
  for (const name of Object.keys(o)) if (!known.includes(name)) errors[name] = `is not a filter; use ${known.join(', ')}`;

  const text = (name: string): string | undefined => {
    const v = o[name];
    if (v === undefined) return undefined;
    if (typeof v === 'string' && v.trim() !== '') return v.trim();
    errors[name] = 'must be a non-empty string';
    return undefined;
  };
  const host = text('host')?.toLowerCase().replace(/^https?:\/\//, '');
  const time = (name: string, fallback: number): number => {
    const v = o[name];
    if (v === undefined) return fallback;
    const ms = typeof v === 'number' ? Math.round(v * 1000) : typeof v === 'string' ? Date.parse(v) : Number.NaN;
    if (Number.isFinite(ms)) return ms;
    errors[name] = 'must be unix seconds or an ISO 8601 date';
    return fallback;
  };
  const since = time('since', 0);
  const until = time('until', Date.now() + 60_000);
  const status = o['status_code'];
  if (status !== undefined && !(Number.isInteger(status) && (status as number) >= 100 && (status as number) <= 999)) errors['status_code'] = 'must be a whole number from 100 to 999';
  const limit = o['limit'] ?? 100;
  if (!(Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= maxLimit)) errors['limit'] = `must be a whole number from 1 to ${maxLimit}`;
  const filters = { host, flowKey: text('flow_key'), group: text('group'), orderKey: text('order_key') };
  if (Object.keys(errors).length > 0) throw new InvalidRequestError(errors);
  return { ...filters, since, until, statusCode: status as number | undefined, limit: limit as number };
}

/** A JSON body of filters; empty means none. */
export function filtersOfBody(body: Buffer): Record<string, unknown> {
  const given = body.toString('utf8').trim();
  let raw: unknown = {};
  if (given !== '') {
    try {
      raw = JSON.parse(given);
    } catch {
      raw = null;
    }
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidRequestError({ body: 'must be a JSON object of filters, or empty' });
  return raw as Record<string, unknown>;
}

const NUMERIC = new Set(['since', 'until', 'status_code', 'limit']);

/** Query parameters as filters: each given once, a number where a number is meant. */
export function filtersOfQuery(originalUrl: string): Record<string, unknown> {
  const q = originalUrl.indexOf('?');
  const params = new URLSearchParams(q < 0 ? '' : originalUrl.slice(q + 1));
  const out: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const name of new Set(params.keys())) {
    const values = params.getAll(name);
    if (values.length > 1) errors[name] = 'must be given once';
    const v = values[0] ?? '';
    out[name] = NUMERIC.has(name) && /^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : v;
  }
  if (Object.keys(errors).length > 0) throw new InvalidRequestError(errors);
  return out;
}
