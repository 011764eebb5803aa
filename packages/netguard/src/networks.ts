import ipaddr from 'ipaddr.js';

export type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** Why a network is special; docs/security.md lists the same table. */
export type Category = 'link-local' | 'cloud-metadata' | 'loopback' | 'private' | 'carrier-grade-nat' | 'unique-local' | 'unspecified' | 'multicast' | 'reserved';

export interface Network {
  cidr: string;
  category: Category;
  range: [Address, number];
}

/** Refused whatever BLOCK_PRIVATE_NETWORKS says: reaching them from a relay is how cloud credentials leak. */
const ALWAYS: Array<[string, Category]> = [
  ['169.254.0.0/16', 'link-local'],
  ['fe80::/10', 'link-local'],
  // Metadata services outside link-local: AWS over IPv6, Alibaba Cloud.
  ['fd00:ec2::254/128', 'cloud-metadata'],
  ['100.100.100.200/32', 'cloud-metadata'],
];

/** Refused with BLOCK_PRIVATE_NETWORKS: everything that is not a public unicast address. */
const PRIVATE: Array<[string, Category]> = [
  ['0.0.0.0/8', 'unspecified'],
  ['::/128', 'unspecified'],
  ['127.0.0.0/8', 'loopback'],
  ['::1/128', 'loopback'],
  ['10.0.0.0/8', 'private'],
  ['172.16.0.0/12', 'private'],
  ['192.168.0.0/16', 'private'],
  ['100.64.0.0/10', 'carrier-grade-nat'],
  ['fc00::/7', 'unique-local'],
  ['fec0::/10', 'unique-local'],
  ['224.0.0.0/4', 'multicast'],
  ['ff00::/8', 'multicast'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'reserved'],
  ['198.18.0.0/15', 'reserved'],
  ['198.51.100.0/24', 'reserved'],
  ['203.0.113.0/24', 'reserved'],
  ['240.0.0.0/4', 'reserved'],
  ['100::/64', 'reserved'],
  ['2001:db8::/32', 'reserved'],
];

const compile = (list: Array<[string, Category]>): Network[] =>
  list.map(([cidr, category]) => ({ cidr, category, range: ipaddr.parseCIDR(cidr) }));

export const ALWAYS_REFUSED = compile(ALWAYS);
export const PRIVATE_NETWORKS = compile(PRIVATE);

// IPv6 prefixes that carry an IPv4 address the packet may end up at: NAT64 (RFC 6052, in
// its last 32 bits) and 6to4 (bits 16 to 48). They are judged by that IPv4 address.
const NAT64 = [ipaddr.parseCIDR('64:ff9b::/96'), ipaddr.parseCIDR('64:ff9b:1::/48')];
const SIX_TO_FOUR = ipaddr.parseCIDR('2002::/16');

/**
 * Parses an IP literal (brackets and IPv4-mapped forms allowed) into the address that the
 * connection really reaches, or undefined when it is not an IP literal.
 */
export function toAddress(literal: string): Address | undefined {
  const bare = literal.replace(/^\[(.*)\]$/, '$1');
  if (!ipaddr.isValid(bare)) return undefined;
  // process() turns ::ffff:a.b.c.d into a.b.c.d; ipaddr also reads IPv4 in odd notations.
  const addr = ipaddr.process(bare);
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    const bytes = v6.toByteArray();
    if (NAT64.some((range) => v6.match(range))) return ipaddr.fromByteArray(bytes.slice(12));
    if (v6.match(SIX_TO_FOUR)) return ipaddr.fromByteArray(bytes.slice(2, 6));
  }
  return addr;
}

export function matches(addr: Address, range: [Address, number]): boolean {
  return addr.kind() === range[0].kind() && addr.match(range);
}

/** Parses one ALLOWED_NETWORKS entry: a CIDR, or a single address. */
export function parseNetwork(entry: string): [Address, number] | undefined {
  const value = entry.trim();
  if (ipaddr.isValidCIDR(value)) {
    const [addr, bits] = ipaddr.parseCIDR(value);
    // An IPv4-mapped range means IPv4: addresses are compared after process().
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
      return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
    }
    return [addr, bits];
  }
  const addr = toAddress(value);
  return addr === undefined ? undefined : [addr, addr.kind() === 'ipv4' ? 32 : 128];
}
