import { inCidr, parseCidr, parseIp, type Cidr } from './ip.js';
import { canonicalHost, isHostName } from './targets.js';

/** EGRESS_NO_PROXY, read: the targets that go direct even with EGRESS_PROXY set. */
export interface NoProxyList {
  /** Names and IP addresses, compared whole. */
  hosts: ReadonlySet<string>;
  /** `.corp.example`: every name under it (not the name itself). */
  suffixes: readonly string[];
  /** IP literals in these ranges; names are compared as names, never resolved for this. */
  networks: readonly Cidr[];
}

const MAX_LENGTH = 16_384;
const MAX_ENTRIES = 256;

/** Reads EGRESS_NO_PROXY: comma-separated names, IP addresses, `.suffixes` and CIDRs. */
export function parseNoProxy(raw: string): NoProxyList | string {
  if (raw.length > MAX_LENGTH) return `expected at most ${MAX_LENGTH} characters, got ${raw.length}`;
  const entries = raw.split(',').map((e) => e.trim()).filter((e) => e !== '');
  if (entries.length > MAX_ENTRIES) return `expected at most ${MAX_ENTRIES} entries, got ${entries.length}`;
  const hosts = new Set<string>();
  const suffixes: string[] = [];
  const networks: Cidr[] = [];
  for (const entry of entries) {
    const lower = entry.toLowerCase();
    if (lower.includes('/')) {
      const range = parseCidr(lower);
      if (range === undefined) return `expected a CIDR such as 10.0.0.0/8, got ${JSON.stringify(entry.slice(0, 300))}`;
      networks.push(range);
    } else if (parseIp(lower) !== undefined) {
      hosts.add(canonicalHost(lower));
    } else if (lower.startsWith('.') && isHostName(lower.slice(1))) {
      suffixes.push(canonicalHost(lower));
    } else if (isHostName(lower)) {
      hosts.add(canonicalHost(lower));
    } else {
      return `expected a host name, an IP address, a .suffix or a CIDR, got ${JSON.stringify(entry.slice(0, 300))}`;
    }
  }
  return { hosts, suffixes, networks };
}

/** True when a target host (as in a URL, `[v6]` in brackets) goes direct. */
export function bypassesProxy(list: NoProxyList, host: string): boolean {
  if (list.hosts.has(canonicalHost(host))) return true;
  const ip = parseIp(host);
  // Suffixes are for names: 10.0.0.1 is not under ".0.1".
  if (ip === undefined) return list.suffixes.some((suffix) => canonicalHost(host).endsWith(suffix));
  return list.networks.some((range) => inCidr(ip, range));
}
