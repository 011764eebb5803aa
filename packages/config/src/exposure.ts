import { BlockList, isIP } from 'node:net';

/** BLOCK_PRIVATE_NETWORKS as written: a decision, or `auto` to let the exposure decide. */
export type PrivateNetworksSetting = boolean | 'auto';

/** Whether private networks are refused, and why, in the words both apps log at start-up. */
export interface PrivateNetworks {
  blocked: boolean;
  setting: 'true' | 'false' | 'auto';
  /** The start-up line: the mode, why, and how to change it. */
  notice: string;
  /** Allowed although anyone who reaches the api may relay: worth a warning rather than a note. */
  exposed: boolean;
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** An address only this machine can reach: 127.0.0.0/8, ::1 (also IPv4-mapped or in brackets), or `localhost`. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (a === 'localhost') return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a)?.[1];
  if (mapped !== undefined) return isLoopbackAddress(mapped);
  const family = isIP(a);
  return family !== 0 && LOOPBACK.check(a, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * Resolves BLOCK_PRIVATE_NETWORKS once, for the api and the workers alike (they read the same
 * environment). `auto` blocks when the api is reachable from other machines and nobody needs a
 * key to relay through it: then anyone on the network could make Knocker call what only this
 * host can reach, and with a success callback even read the answer.
 */
export function decidePrivateNetworks(setting: PrivateNetworksSetting, bindAddress: string, apiKeys: readonly string[]): PrivateNetworks {
  const local = isLoopbackAddress(bindAddress);
  const open = !local && apiKeys.length === 0;
  // Never "listening on": that is how the api's own start-up line says it is ready.
  const where = `BIND_ADDRESS=${bindAddress}`;
  if (setting === true) {
    return { blocked: true, setting: 'true', exposed: false, notice: 'Private networks: blocked (BLOCK_PRIVATE_NETWORKS=true). List those Knocker must reach in ALLOWED_NETWORKS.' };
  }
  if (setting === false) {
    const notice = open
      ? `Private networks: allowed (BLOCK_PRIVATE_NETWORKS=false), although with ${where} and no KNOCKER_API_KEYS whoever reaches the api can make Knocker call this host's networks. Set KNOCKER_API_KEYS, or BLOCK_PRIVATE_NETWORKS=auto to block them.`
      : 'Private networks: allowed (BLOCK_PRIVATE_NETWORKS=false).';
    return { blocked: false, setting: 'false', exposed: open, notice };
  }
  if (open) {
    return {
      blocked: true, setting: 'auto', exposed: false,
      notice: `Private networks: blocked (${where}, reachable from other machines, and no KNOCKER_API_KEYS; BLOCK_PRIVATE_NETWORKS=auto). Set KNOCKER_API_KEYS, or BLOCK_PRIVATE_NETWORKS=false to allow them.`,
    };
  }
  const why = local ? `${where}, this machine only` : 'relaying needs one of KNOCKER_API_KEYS';
  return { blocked: false, setting: 'auto', exposed: false, notice: `Private networks: allowed (${why}; BLOCK_PRIVATE_NETWORKS=auto). Set BLOCK_PRIVATE_NETWORKS=true to refuse them.` };
}
