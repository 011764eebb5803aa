import type { HeaderPair } from '@knocker/protocol';

// The statuses got followed, with their Location; kept so that what is followed does not change.
const REDIRECTS = new Set([300, 301, 302, 303, 304, 307, 308]);

// What a caller sent for the first origin only: never carried to another one.
const CREDENTIALS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** The Location of an answer Knocker follows, or undefined. */
export function redirectLocation(statusCode: number, location: string | undefined): string | undefined {
  return location !== undefined && location !== '' && REDIRECTS.has(statusCode) ? location : undefined;
}

/** Where a Location leads from `from`: read as UTF-8, as got did, and relative to `from`. */
export function redirectTarget(location: string, from: URL): URL {
  return new URL(Buffer.from(location, 'latin1').toString(), from);
}

/**
 * Why a redirect is not followed, or undefined: only http and https, never from https down to
 * http, and with HOSTS_ONLY set only to the hosts it lists (the api's rule: an entry is a name,
 * any port, or name:port).
 */
export function redirectRefusal(from: URL, to: URL, hostsOnly: readonly string[] | undefined): string | undefined {
  if (to.protocol !== 'http:' && to.protocol !== 'https:') return `a redirect to ${to.protocol} is not followed`;
  if (from.protocol === 'https:' && to.protocol === 'http:') return `a redirect from https to http (${to.host}) is not followed`;
  if (hostsOnly !== undefined && !hostAllowed(hostsOnly, to)) return `a redirect to ${to.host} is not followed: not in HOSTS_ONLY`;
  return undefined;
}

/** HOSTS_ONLY (empty allows every host) on a URL: its name, or its name and port, the default one included. */
export function hostAllowed(hostsOnly: readonly string[], url: URL): boolean {
  if (hostsOnly.length === 0) return true;
  const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
  return hostsOnly.includes(url.hostname) || hostsOnly.includes(url.host) || hostsOnly.includes(`${url.hostname}:${port}`);
}

/** The method and body of the next hop: a 303 turns anything but GET and HEAD into a GET without body; others keep both, as got did. */
export function redirectedMethod(statusCode: number, method: string): string {
  return statusCode === 303 && method !== 'GET' && method !== 'HEAD' ? 'GET' : method;
}

/** The headers for another origin: the caller's credentials for the first one left out. */
export function withoutCredentials(headers: readonly HeaderPair[]): readonly HeaderPair[] {
  return headers.some(([name]) => CREDENTIALS.has(name)) ? headers.filter(([name]) => !CREDENTIALS.has(name)) : headers;
}
