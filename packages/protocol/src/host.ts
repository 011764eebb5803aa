import { isIPv6 } from 'node:net';

const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const HOST = new RegExp(`^(${LABEL}(?:\\.${LABEL})*\\.?|\\[[0-9a-f:.]+\\])(?::(\\d{1,5}))?$`);

export interface TargetHost {
  /** `name[:port]`, lower-case, as used in the target URL. */
  host: string;
  /** The name alone (IPv6 literals keep their brackets), for HOSTS_ONLY. */
  hostname: string;
}

/**
 * Reads `Knocker-Host`: a host name or IP literal with an optional port. Knocker strips a
 * leading scheme; anything else of a URL (user info, path, query) is refused rather than guessed.
 */
export function parseTargetHost(raw: string): TargetHost | string {
  const value = raw.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/$/, '');
  const m = HOST.exec(value);
  const hostname = m?.[1];
  if (!m || hostname === undefined || hostname.length > 253) {
    return 'must be a host name or IP address with an optional :port, without user info or path';
  }
  if (hostname.startsWith('[') && !isIPv6(hostname.slice(1, -1))) return 'has an invalid IPv6 address';
  const port = m[2];
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return 'has a port outside 1..65535';
  return { host: value, hostname };
}

/** What limits a target host: HOSTS_ONLY, and the address policy for IP literals. */
export interface HostRules {
  hostsOnly: readonly string[];
  /** Why an IP literal is not allowed, if it is not (the api's address policy). */
  refuseAddress?: ((hostname: string) => string | undefined) | undefined;
}

/**
 * A target host as Knocker-Host gives it, parsed and judged: HOSTS_ONLY by name or name:port,
 * then the address policy. Group endpoints pass the same judgement when stored and when used.
 */
export function judgeTargetHost(raw: string, rules: HostRules): TargetHost | string {
  const parsed = parseTargetHost(raw);
  if (typeof parsed === 'string') return parsed;
  if (rules.hostsOnly.length > 0 && !rules.hostsOnly.includes(parsed.hostname) && !rules.hostsOnly.includes(parsed.host)) {
    return `is not allowed: this Knocker delivers only to ${rules.hostsOnly.join(', ')} (HOSTS_ONLY)`;
  }
  const refused = rules.refuseAddress?.(parsed.hostname);
  return refused === undefined ? parsed : `is not allowed: ${refused}`;
}
