import ipaddr from 'ipaddr.js';

/**
 * An ALLOWED_NETWORKS entry: a CIDR, or a single address (in brackets or IPv4-mapped too).
 * The address policy parses the entries again into ranges (netguard's parseNetwork); this
 * only says whether one can be, so that a bad entry stops the start with exit 78.
 */
export function isNetwork(entry: string): boolean {
  const value = entry.trim();
  return ipaddr.isValidCIDR(value) || ipaddr.isValid(value.replace(/^\[(.*)\]$/, '$1'));
}
