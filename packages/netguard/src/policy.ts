import { ALWAYS_REFUSED, matches, parseNetwork, PRIVATE_NETWORKS, toAddress, type Address, type Network } from './networks.js';

export interface PolicyOptions {
  /** BLOCK_PRIVATE_NETWORKS: also refuse loopback, RFC 1918, CGNAT, unique-local and reserved ranges. */
  blockPrivateNetworks: boolean;
  /** ALLOWED_NETWORKS: CIDRs (or single addresses) that pass whatever else says. */
  allowedNetworks: readonly string[];
}

export interface Refusal {
  address: string;
  network: Network;
  /** For logs and callbacks, e.g. "169.254.169.254 is in 169.254.0.0/16 (link-local)…". */
  reason: string;
}

export interface AddressPolicy {
  /** Undefined when the address may be connected to; a non-IP input is not judged here. */
  refusal(ip: string): Refusal | undefined;
}

/** Throws on an entry that is not a CIDR or an address: checked at start-up by the config. */
export function createAddressPolicy(opts: PolicyOptions): AddressPolicy {
  const allowed = opts.allowedNetworks.map((entry) => {
    const range = parseNetwork(entry);
    if (range === undefined) throw new Error(`not a CIDR or IP address: ${JSON.stringify(entry)}`);
    return range;
  });
  const refused = opts.blockPrivateNetworks ? [...ALWAYS_REFUSED, ...PRIVATE_NETWORKS] : ALWAYS_REFUSED;
  return {
    refusal(ip) {
      const addr = toAddress(ip);
      if (addr === undefined || allowed.some((range) => matches(addr, range))) return undefined;
      const network = refused.find((n) => matches(addr, n.range));
      return network && { address: ip, network, reason: describe(ip, addr, network, ALWAYS_REFUSED.includes(network)) };
    },
  };
}

/**
 * The same judgement, remembered per input (up to `size` of them, then no longer stored):
 * the api asks it for the host of every request, and most traffic goes to a few hosts.
 */
export function rememberRefusals(policy: AddressPolicy, size = 1000): AddressPolicy {
  const known = new Map<string, Refusal | undefined>();
  return {
    refusal(ip) {
      if (known.has(ip)) return known.get(ip);
      const verdict = policy.refusal(ip);
      if (known.size < size) known.set(ip, verdict);
      return verdict;
    },
  };
}

function describe(ip: string, addr: Address, network: Network, always: boolean): string {
  const shown = addr.toString() === ip ? ip : `${ip} (${addr.toString()})`;
  const why = always ? 'refused unless ALLOWED_NETWORKS lists it' : 'refused because BLOCK_PRIVATE_NETWORKS is on';
  return `${shown} is in ${network.cidr} (${network.category}), ${why}`;
}
