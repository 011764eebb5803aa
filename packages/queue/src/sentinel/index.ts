// Loaded only when REDIS_SENTINELS is set (its own entry point, imported on demand).
export { probeSentinels } from './probe.js';
export type { SentinelProblem } from './probe.js';
