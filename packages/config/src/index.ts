export { loadConfig, ConfigError } from './load.js';
export type { Config } from './schema.js';
export { LOG_FORMAT_TOKENS } from './schema.js';
export type { ClusterSeeds } from './parse.js';
export { isLoopbackAddress } from './exposure.js';
export type { PrivateNetworks } from './exposure.js';
export { redactUrl } from './redact.js';
