import { ENDPOINT_URL_MAX } from '@knocker/contract';
import { judgeTargetHost, type HostRules } from './host.js';

// Fan-out groups: a named list of endpoints, each an origin with an optional path prefix. A
// request with Knocker-Group is stored as one copy per endpoint (see group-copies.ts).

export const GROUP_NAME_MAX = 64;
export const ENDPOINT_NAME_MAX = 32;
const GROUP_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
// No '~': a copy's id is `<id>~~<endpoint name>`, split at the first '~~'.
const ENDPOINT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
/** Must stay equal to `GROUP_COPY_MARK` of @knocker/keys, which builds the ids (a test holds them equal). */
export const COPY_MARK = '~~';

export interface Endpoint {
  name: string;
  /** `scheme://host[:port][/prefix]`, as stored: normalized by `parseEndpointUrl`. */
  url: string;
}

/** Where an endpoint's copies go: its origin, and a path prefix without a trailing '/' ('' for none). */
export interface EndpointTarget {
  scheme: 'http' | 'https';
  host: string;
  prefix: string;
}

export function checkGroupName(name: string): string | undefined {
  return GROUP_NAME.test(name) ? undefined : `must be 1 to ${GROUP_NAME_MAX} characters (letters, digits and . _ -), starting with a letter or digit`;
}

export function checkEndpointName(name: string): string | undefined {
  return ENDPOINT_NAME.test(name) ? undefined : `must be 1 to ${ENDPOINT_NAME_MAX} characters (letters, digits and . _ -), starting with a letter or digit`;
}

/** The group request's id and the endpoint of a copy's id, or undefined for any other id. */
export function splitCopyId(id: string): { id: string; endpoint: string } | undefined {
  const mark = id.indexOf(COPY_MARK);
  return mark === -1 ? undefined : { id: id.slice(0, mark), endpoint: id.slice(mark + COPY_MARK.length) };
}

/**
 * An endpoint's url: http(s), a host as Knocker-Host takes it (judged by HOSTS_ONLY and the
 * address policy the same way), an optional path prefix; no credentials, query or fragment,
 * which a copy's own path and query could not be joined to unambiguously.
 */
export function parseEndpointUrl(raw: string, rules: HostRules): EndpointTarget | string {
  if (raw.length > ENDPOINT_URL_MAX) return `must be at most ${ENDPOINT_URL_MAX} characters`;
  const url = /[\s?#\\]/.test(raw) ? null : URL.parse(raw);
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.host === '') {
    return 'must be an absolute http:// or https:// URL: an origin with an optional path prefix, without query or fragment';
  }
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  const host = judgeTargetHost(url.host, rules);
  if (typeof host === 'string') return host.startsWith('is not allowed') ? host : `has a host that ${host}`;
  return { scheme: url.protocol === 'http:' ? 'http' : 'https', host: host.host, prefix: url.pathname.replace(/\/+$/, '') };
}

/** How an endpoint's url is stored and shown: what `parseEndpointUrl` reads back the same. */
export const endpointUrl = (t: EndpointTarget): string => `${t.scheme}://${t.host}${t.prefix}`;

/**
 * A copy's target: the endpoint's origin, its prefix, then the request's own path and query
 * (origin-form, so starting with '/'): `http://a.example/hooks` + `/orders?x=1` is
 * `http://a.example/hooks/orders?x=1`; the path `/` gives `http://a.example/hooks/`.
 */
export function joinTarget(target: EndpointTarget, path: string): string {
  return `${target.scheme}://${target.host}${target.prefix}${path.startsWith('/') ? path : `/${path}`}`;
}

/** What Knocker-Group may not be combined with, and its own form; problems go to `errors`. */
export function readGroupHeaders(group: string, others: { host?: string | undefined; scheme?: string | undefined; cron?: string | undefined }, errors: Record<string, string>): void {
  const problem = checkGroupName(group);
  if (problem !== undefined) errors['knocker-group'] ??= problem;
  if (others.host !== undefined) errors['knocker-group'] ??= 'cannot be combined with Knocker-Host: the group names the targets';
  if (others.scheme !== undefined) errors['knocker-scheme'] ??= "cannot be combined with Knocker-Group: each endpoint's url has its scheme";
  if (others.cron !== undefined) errors['knocker-cron'] ??= 'cannot be combined with Knocker-Group';
}
