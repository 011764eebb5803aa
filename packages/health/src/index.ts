export { createHealthRouter } from './router.js';
export type { HealthOptions, CacheMode } from './router.js';
export { redisCheck } from './checks.js';
export type { HealthCheck } from './checks.js';
export { createShutdown, STOP_ON_STDIN_CLOSE, watchSupervisor } from './shutdown.js';
export type { Shutdown, ShutdownStep, ShutdownOptions } from './shutdown.js';
