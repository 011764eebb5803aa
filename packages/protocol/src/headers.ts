/** A header as sent on the wire: lower-case name, one value. Repeated headers are repeated pairs. */
export type HeaderPair = [name: string, value: string];

// RFC 9110 §7.6.1 hop-by-hop headers, plus the framing headers the HTTP client sets itself,
// plus the headers Knocker sets itself: the correlation headers of each attempt, and the mark
// of its callbacks (a client's copy would pass its request off as a callback).
const NEVER_FORWARDED = new Set([
  'host', 'content-length', 'connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate',
  'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'x-knocker-id', 'x-knocker-attempt', 'x-knocker-origin',
]);

/**
 * The headers of an incoming request that go on to the target, in order, repeats kept:
 * everything but hop-by-hop headers (including those the Connection header names),
 * `Host`, `Content-Length`, `x-knocker-id`, `x-knocker-attempt`, `x-knocker-origin` and `knocker-*`.
 */
export function forwardableHeaders(rawHeaders: readonly string[]): HeaderPair[] {
  const named = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (rawHeaders[i]?.toLowerCase() === 'connection') {
      for (const token of (rawHeaders[i + 1] ?? '').split(',')) named.add(token.trim().toLowerCase());
    }
  }
  const out: HeaderPair[] = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] ?? '').toLowerCase();
    if (NEVER_FORWARDED.has(name) || named.has(name) || name.startsWith('knocker-')) continue;
    out.push([name, rawHeaders[i + 1] ?? '']);
  }
  return out;
}
