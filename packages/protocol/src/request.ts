import { randomUUID } from 'node:crypto';
import { checkFlowKey, type ProtocolSettings } from '@knocker/config';
import { parseCatchPatterns } from './catch.js';
import { parseCron, type CronSpec } from './cron.js';
import { parseRetryOn } from './retry-on.js';
import { InvalidRequestError, LoopDetectedError } from './errors.js';
import { forwardableHeaders, type HeaderPair } from './headers.js';
import { judgeTargetHost } from './host.js';
import { checkEndpointName, readGroupHeaders, splitCopyId } from './group.js';
import { reservedIdProblem } from './reserved-ids.js';
import { DEFAULT_DELAY_MAX_SECONDS, readNotBefore } from './timing.js';
import { KNOCKER_VERSION } from './version.js';

/**
 * Server-wide bounds and defaults for the per-request headers: the configuration's protocol
 * group, and what only the api knows.
 */
export interface ProtocolLimits extends Omit<ProtocolSettings, 'delayMax'> {
  /** DELAY_MAX in seconds; DEFAULT_DELAY_MAX_SECONDS when not given. */
  delayMax?: number;
  /**
   * Why an IP literal given as target or callback host is not allowed, if it is not. Only the
   * api sets it; names are judged when the workers connect, on what they resolve to then.
   */
  refuseAddress?: (hostname: string) => string | undefined;
}

/** How one request is delivered; the names are Knocker's, as users read them in answers and callbacks. */
export interface KnockConfig {
  id: string;
  host: string;
  scheme: 'http' | 'https';
  timeout: number;
  retries: number;
  backoff_factor: number;
  callback: string | null;
  /** `Knocker-Catch`: error codes reported by the target that end the request at once. Absent when not given. */
  catch?: string[];
  /** `Knocker-Flow-Key`: the flow-control key instead of the target's host:port. Absent when not given. */
  flow_key?: string;
  /** `Knocker-Retry-On`: the failures that are retried (statuses, classes, `network`). Absent: every failure. */
  retry_on?: string[];
  /** `Knocker-Success-Callback`: told about the answer once the request is delivered. Absent when not given. */
  success_callback?: string;
  /** Any other `knocker-*` header, kept for the callback. */
  [custom: `knocker-${string}`]: string;
}

export interface KnockRequest {
  config: KnockConfig;
  method: string;
  url: string;
  /** Exactly what goes to the target, `x-knocker` included. */
  headers: HeaderPair[];
  /** Ms since the epoch before which no attempt starts; only when a delay was asked. */
  notBefore?: number;
  /** `Knocker-Cron`: store a schedule that sends this request at every tick, instead of sending it once. */
  cron?: CronSpec;
  /**
   * `Knocker-Group`: send a copy to every endpoint of this group. Until `groupCopies` makes
   * the copies, `url` is the origin-form path and `config.host` is empty.
   */
  group?: string;
}

export interface IncomingKnock {
  method: string;
  /** The request target as received: origin-form `/path?query`, or absolute-form. */
  target: string;
  /** Node's `rawHeaders`: name, value, name, value… */
  rawHeaders: readonly string[];
}

/** Carries a credential: checked by the api, never stored, forwarded or echoed. */
export const API_KEY_HEADER = 'knocker-api-key';

const CONTROL = ['knocker-host', 'knocker-scheme', 'knocker-timeout', 'knocker-retries', 'knocker-backoff-factor', 'knocker-callback', 'knocker-id',
  'knocker-delay', 'knocker-not-before', 'knocker-cron', 'knocker-flow-key', 'knocker-success-callback', 'knocker-group'];
// A list header: given more than once, its values are joined, as HTTP allows for lists.
const LISTS = ['knocker-catch', 'knocker-retry-on'];
// Credentials for Knocker itself: never stored, answered or sent to a callback.
const CREDENTIALS = ['knocker-admin-key', API_KEY_HEADER];
const DECIMAL = /^(\d+(\.\d*)?|\.\d+)$/;
// No ':', which BullMQ refuses in job ids; job ids also get a prefix, so '0' or '123' are safe too.
const ID = /^[A-Za-z0-9][A-Za-z0-9._~/+=@-]{0,127}$/;

/**
 * Checks a request id, given in `Knocker-Id` or in a route; returns what is wrong with it, if
 * anything. The id of a group request's copy, `<id>~~<endpoint>`, is one too (see groupCopyId).
 */
export function checkRequestId(id: string): string | undefined {
  if (ID.test(id)) return undefined;
  const copy = splitCopyId(id);
  if (copy && ID.test(copy.id) && checkEndpointName(copy.endpoint) === undefined) return undefined;
  return 'must be 1 to 128 characters (letters, digits and . _ ~ / + = @ -), starting with a letter or digit';
}

/** Validates the Knocker headers of an incoming request; throws with every problem named by its header. */
export function parseKnockRequest(
  incoming: IncomingKnock, limits: ProtocolLimits, newId: () => string = defaultId, now: () => number = Date.now,
): KnockRequest {
  const knocker = new Map<string, string[]>();
  const { rawHeaders } = incoming;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    if (name === 'x-knocker') throw new LoopDetectedError();
    if (name.startsWith('knocker-')) knocker.set(name, [...(knocker.get(name) ?? []), rawHeaders[i + 1] ?? '']);
  }

  const errors: Record<string, string> = {};
  const read = (name: string): string | undefined => {
    const values = knocker.get(name);
    if (values && values.length > 1 && CONTROL.includes(name)) errors[name] = 'must be given once';
    return values?.[0]?.trim();
  };
  const number = (name: string, fallback: number, check: (v: number) => boolean, rule: string): number => {
    const raw = read(name);
    if (raw === undefined) return fallback;
    const value = DECIMAL.test(raw) ? Number(raw) : Number.NaN;
    if (Number.isFinite(value) && check(value)) return value;
    errors[name] ??= `${rule}, got ${JSON.stringify(raw)}`;
    return fallback;
  };

  let host = '';
  const rawHost = read('knocker-host');
  // A group request names its targets by the group: its endpoints carry scheme and host.
  const group = read('knocker-group');
  if (group !== undefined) readGroupHeaders(group, { host: rawHost, scheme: read('knocker-scheme'), cron: read('knocker-cron') }, errors);
  else if (rawHost === undefined || rawHost === '') {
    errors['knocker-host'] ??= 'is required: the host (and optional :port) to deliver to, or Knocker-Group';
  } else {
    const judged = judgeTargetHost(rawHost, limits);
    if (typeof judged === 'string') errors['knocker-host'] ??= judged;
    else host = judged.host;
  }

  const rawScheme = read('knocker-scheme')?.toLowerCase();
  let scheme = limits.scheme;
  if (rawScheme === 'http' || rawScheme === 'https') scheme = rawScheme;
  else if (rawScheme !== undefined) errors['knocker-scheme'] ??= `must be one of https, http, got ${JSON.stringify(rawScheme)}`;

  const timeout = number('knocker-timeout', limits.timeout, (v) => v > 0 && v <= limits.timeoutMax,
    `must be a number of seconds above 0 and at most ${limits.timeoutMax}`);
  const retries = number('knocker-retries', limits.retries, (v) => Number.isInteger(v) && v <= limits.retriesMax,
    `must be a whole number from 0 to ${limits.retriesMax}`);
  const backoff = number('knocker-backoff-factor', limits.backoffFactor, (v) => v <= limits.backoffFactorMax,
    `must be a number of seconds from 0 to ${limits.backoffFactorMax}`);

  const callback = read('knocker-callback') || null;
  if (callback !== null) checkCallbackUrl('knocker-callback', callback, limits, errors);
  const successCallback = read('knocker-success-callback') || undefined;
  if (successCallback !== undefined) checkCallbackUrl('knocker-success-callback', successCallback, limits, errors);

  const givenId = read('knocker-id');
  // Routes that take an id accept every id (a tick's included); only a new one may not be Knocker's.
  const idProblem = givenId === undefined ? undefined : checkRequestId(givenId) ?? reservedIdProblem(givenId);
  if (idProblem !== undefined) errors['knocker-id'] ??= idProblem;

  const flowKey = read('knocker-flow-key');
  const flowProblem = flowKey === undefined ? undefined : checkFlowKey(flowKey);
  if (flowProblem !== undefined) errors['knocker-flow-key'] ??= flowProblem;

  const rawCatch = knocker.get('knocker-catch')?.join(',');
  const patterns = rawCatch === undefined || rawCatch.trim() === '' ? undefined : parseCatchPatterns(rawCatch);
  if (typeof patterns === 'string') errors['knocker-catch'] = patterns;

  const delay = { delay: read('knocker-delay'), notBefore: read('knocker-not-before') };
  const timed = delay.delay !== undefined || delay.notBefore !== undefined;
  const notBefore = timed ? readNotBefore(delay, now(), limits.delayMax ?? DEFAULT_DELAY_MAX_SECONDS, errors) : undefined;
  const rawCron = read('knocker-cron');
  const cron = rawCron === undefined ? undefined : parseCron(rawCron, new Date(now()));
  if (typeof cron === 'string') errors['knocker-cron'] = cron;
  else if (cron !== undefined && timed) errors['knocker-cron'] = 'cannot be combined with Knocker-Delay or Knocker-Not-Before: a schedule fires at its ticks';
  const rawRetryOn = knocker.get('knocker-retry-on')?.join(',');
  const retryOn = rawRetryOn === undefined ? undefined : parseRetryOn(rawRetryOn);
  if (typeof retryOn === 'string') errors['knocker-retry-on'] = retryOn;

  const path = pathOf(incoming.target);
  if (path === null) errors['path'] = 'must be an origin-form path such as /hook?x=1';

  if (Object.keys(errors).length > 0) throw new InvalidRequestError(errors);

  const config: KnockConfig = {
    id: givenId || newId(), host, scheme, timeout, retries, backoff_factor: backoff, callback,
    ...(Array.isArray(patterns) ? { catch: patterns } : {}),
    ...(flowKey === undefined ? {} : { flow_key: flowKey }),
    ...(Array.isArray(retryOn) ? { retry_on: retryOn } : {}),
    ...(successCallback === undefined ? {} : { success_callback: successCallback }),
  };
  for (const [name, values] of knocker) {
    if (!CONTROL.includes(name) && !LISTS.includes(name) && !CREDENTIALS.includes(name)) config[name as `knocker-${string}`] = values.join(', ');
  }
  const headers = forwardableHeaders(rawHeaders);
  headers.push(['x-knocker', KNOCKER_VERSION]);
  const knock: KnockRequest = { config, method: incoming.method, url: `${scheme}://${host}${path}`, headers };
  if (group !== undefined) {
    // No target yet: each endpoint's copy gets its own (groupCopies).
    knock.group = group;
    knock.url = path ?? '/';
  }
  if (notBefore !== undefined) knock.notBefore = notBefore;
  if (typeof cron === 'object') knock.cron = cron;
  return knock;
}

/** A URL Knocker will call: absolute http(s), and its host allowed by the address policy. */
function checkCallbackUrl(name: string, url: string, limits: ProtocolLimits, errors: Record<string, string>): void {
  if (!isHttpUrl(url)) errors[name] ??= 'must be an absolute http:// or https:// URL of at most 2048 characters';
  else {
    const refused = limits.refuseAddress?.(new URL(url).hostname);
    if (refused !== undefined) errors[name] ??= `is not allowed: ${refused}`;
  }
}

function defaultId(): string {
  return randomUUID().replaceAll('-', '');
}

function isHttpUrl(value: string): boolean {
  if (value.length > 2048 || /\s/.test(value)) return false;
  const url = URL.parse(value);
  return url !== null && (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
}

function pathOf(target: string): string | null {
  if (target.startsWith('/')) return target;
  const url = URL.parse(target);
  return url && (url.protocol === 'http:' || url.protocol === 'https:') ? `${url.pathname}${url.search}` : null;
}

/** Every `knocker-*` header the parser reads itself; any other is kept in `config` for the callback. */
export const KNOCKER_HEADERS: readonly string[] = [...CONTROL, ...LISTS, ...CREDENTIALS];
