import type { ListedRequest, RequestFilters } from '@knocker/queue';

/** The filters QStash's list and bulk routes take, by their names on the wire. */
export type FilterName =
  | 'url' | 'topicName' | 'scheduleId' | 'label' | 'flowControlKey' | 'host' | 'path' | 'responseStatus' | 'fromDate' | 'toDate' | 'messageId'
  | 'queueName' | 'callerIp';

// Each filter may be repeated (any value matches); both bounds keep a query's work small.
const VALUES_MAX = 100;
const VALUE_CHARS_MAX = 2048;
const REFUSED: Partial<Record<FilterName, string>> = {
  queueName: 'is not supported as a filter here',
  callerIp: 'is not supported as a filter here: Knocker does not record the publisher\'s address',
};
const TEXT: Partial<Record<FilterName, (r: ListedRequest) => string | readonly string[] | undefined>> = {
  url: (r) => r.url,
  topicName: (r) => r.group,
  scheduleId: (r) => r.schedule,
  label: (r) => r.labels,
  flowControlKey: (r) => r.config.flow_key,
  messageId: (r) => r.id,
  host: (r) => URL.parse(r.url)?.host,
  path: (r) => URL.parse(r.url)?.pathname,
};

/**
 * A route's QStash filters as the request store's: dates become its time window, the rest one
 * test on each listed request (any value of a filter, every filter). `own` are the names the
 * route reads itself (count, cursor...); any other name is refused, naming it.
 */
export function readFilters(params: URLSearchParams, accepted: readonly FilterName[], own: readonly string[], errors: Record<string, string>): { filters: RequestFilters; given: boolean } {
  const tests: Array<(r: ListedRequest) => boolean> = [];
  let since = 0;
  // The latest time a Date can hold: no stored time is later.
  let until = 8.64e15;
  let given = false;
  for (const name of new Set(params.keys())) {
    if (own.includes(name)) continue;
    const values = params.getAll(name);
    if (!(accepted as readonly string[]).includes(name)) {
      errors[name] = `is not a filter of this route; use ${accepted.join(', ')}`;
      continue;
    }
    const filter = name as FilterName;
    given = true;
    if (REFUSED[filter] !== undefined) errors[name] = REFUSED[filter];
    else if (values.length > VALUES_MAX || values.some((v) => v === '' || v.length > VALUE_CHARS_MAX)) {
      errors[name] = `must be 1 to ${VALUES_MAX} values of 1 to ${VALUE_CHARS_MAX} characters`;
    } else if (filter === 'fromDate' || filter === 'toDate') {
      const ms = values.length === 1 && /^\d{1,15}$/.test(values[0]!) ? Number(values[0]) : undefined;
      if (ms === undefined) errors[name] = 'must be one time in ms since the epoch';
      else if (filter === 'fromDate') since = ms;
      else until = ms;
    } else if (filter === 'responseStatus') {
      const codes = new Set(values.map(Number));
      if (values.some((v) => !/^[1-9]\d\d$/.test(v))) errors[name] = 'must be HTTP statuses, 100 to 999';
      tests.push((r) => r.lastAttempt !== undefined && codes.has(r.lastAttempt.status_code));
    } else {
      const wanted = new Set(values);
      const read = TEXT[filter]!;
      tests.push((r) => {
        const v = read(r);
        return typeof v === 'string' ? wanted.has(v) : v !== undefined && v.some((x) => wanted.has(x));
      });
    }
  }
  if (since > until) errors['fromDate'] = 'must not be after toDate';
  const match = tests.length === 0 ? undefined : (r: ListedRequest) => tests.every((t) => t(r));
  return { filters: { since, until, ...(match === undefined ? {} : { match }) }, given };
}

/** `count`: a whole number from 1 to `max`, `fallback` when absent. */
export function readCount(params: URLSearchParams, fallback: number, max: number, errors: Record<string, string>): number {
  const raw = params.getAll('count');
  if (raw.length === 0) return fallback;
  if (raw.length === 1 && /^\d{1,7}$/.test(raw[0]!) && Number(raw[0]) >= 1 && Number(raw[0]) <= max) return Number(raw[0]);
  errors['count'] = `must be one whole number from 1 to ${max}`;
  return fallback;
}

/**
 * Ids given as repeated keys (`messageIds=a&messageIds=b`), under `name` or the older `alias`:
 * 1 to `max` of them, each a plausible id.
 */
export function readIds(params: URLSearchParams, name: string, max: number, errors: Record<string, string>, alias?: string): string[] {
  const ids = [...new Set([...params.getAll(name), ...(alias === undefined ? [] : params.getAll(alias))])];
  if (ids.length === 0 || ids.length > max) errors[name] = `must name 1 to ${max} messages`;
  else if (ids.some((id) => id === '' || id.length > 256)) errors[name] = 'must be ids of 1 to 256 characters';
  return ids;
}
