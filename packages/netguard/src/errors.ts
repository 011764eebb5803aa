import { ERR_ADDRESS_REFUSED } from '@knocker/contract';
import type { Refusal } from './policy.js';

/** A connection the address policy forbade; nothing was sent. Retrying cannot help. */
export class AddressRefusedError extends Error {
  /** Node-style code: the worker reads it, whichever layer the error comes through, to end the request. */
  readonly code = ERR_ADDRESS_REFUSED;
  constructor(readonly host: string, readonly refusal: Refusal) {
    super(host === refusal.address ? `connection refused by policy: ${refusal.reason}` : `connection to ${host} refused by policy: ${refusal.reason}`);
    this.name = 'AddressRefusedError';
  }
}
