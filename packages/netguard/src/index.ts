export { createAddressPolicy, rememberRefusals } from './policy.js';
export type { AddressPolicy, PolicyOptions, Refusal } from './policy.js';
export { createGuardedAgents, guardAgent } from './agents.js';
export type { GuardedAgents } from './agents.js';
export { guardedLookup, systemResolver } from './lookup.js';
export type { Resolver } from './lookup.js';
export { AddressRefusedError } from './errors.js';
