// Light on purpose: the proxy library and the token client are imported by loadEgress only
// when a variable asks for them.
export { loadEgress } from './load.js';
export type { Egress, EgressDeps, EgressLogger } from './egress.js';
export type { RoutedAgents } from './router.js';
export type { Authorization, Authorizer, AttemptClock } from './auth.js';
export { EgressConfigError, TokenUnavailableError, ProxyRefusedError } from './errors.js';
export { failureCause } from './causes.js';
