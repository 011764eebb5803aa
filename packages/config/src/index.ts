export { loadConfig, ConfigError } from './load.js';
export type { Config } from './schema.js';
export { LOG_FORMAT_TOKENS } from './schema.js';
export type { ClusterSeeds } from './parse.js';
