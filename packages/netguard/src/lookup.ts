import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { AddressRefusedError } from './errors.js';
import type { AddressPolicy } from './policy.js';

/** Resolves a name to every address it has; tests pass one that answers without DNS. */
export type Resolver = (hostname: string, callback: (err: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void) => void;

export const systemResolver: Resolver = (hostname, callback) => dns.lookup(hostname, { all: true }, callback);

/**
 * A `lookup` for net.connect that drops the addresses the policy refuses, so a socket can only
 * open to an address that was checked. It runs for every new connection, so a name that
 * resolves differently the second time (DNS rebinding) is checked again.
 */
export function guardedLookup(policy: AddressPolicy, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, (err, found) => {
      if (err) return callback(err, '');
      const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
      const candidates = family ? found.filter((a) => a.family === family) : found;
      const allowed = candidates.filter((a) => policy.refusal(a.address) === undefined);
      const first = candidates[0];
      if (allowed.length === 0 && first !== undefined) {
        return callback(new AddressRefusedError(hostname, policy.refusal(first.address)!), '');
      }
      if (allowed.length === 0) {
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      }
      if (options.all) return callback(null, allowed);
      const [one] = allowed as [dns.LookupAddress];
      return callback(null, one.address, one.family);
    });
  };
}
