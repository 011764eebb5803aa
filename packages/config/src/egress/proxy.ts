/** EGRESS_PROXY, read: where deliveries and callbacks go out through. */
export interface ProxySetting {
  /** `http:` or `https:` (TLS to the proxy itself). */
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
  /** Decoded; sent as Proxy-Authorization Basic, never logged. */
  username: string;
  password: string;
  /** The proxy without its credentials, for logs and errors: `http://proxy.internal:3128`. */
  shown: string;
  /** The URL as configured, credentials included: for the agent only. */
  href: string;
}

const MAX_LENGTH = 2048;

/** Reads EGRESS_PROXY; a message when it is not `http[s]://[user:password@]host[:port]`. Never echoes the password. */
export function parseEgressProxy(raw: string): ProxySetting | string {
  const value = raw.trim();
  if (value.length > MAX_LENGTH) return `expected at most ${MAX_LENGTH} characters, got ${value.length}`;
  const expected = 'expected http://[user:password@]host:port or https://[user:password@]host:port';
  const url = URL.parse(value);
  if (url === null) return `${expected}, got something that is not a URL`;
  const shown = `${url.protocol}//${url.host}`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return `${expected}, got the scheme ${JSON.stringify(url.protocol.slice(0, 20))}`;
  if (url.hostname === '') return `${expected}, got no host`;
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '') return `${expected}, got a path, query or fragment after ${shown}`;
  let username: string;
  let password: string;
  try {
    username = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  } catch {
    return `${expected}: the user or password of ${shown} is not valid percent-encoding`;
  }
  // Basic credentials: a colon in the user name would move the split.
  if (username.includes(':')) return `${expected}: the user name of ${shown} must not hold ":"`;
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return { protocol: url.protocol, hostname: url.hostname, port, username, password, shown: `${url.protocol}//${url.hostname}:${port}`, href: url.href };
}
