export { runApp, startRuntime } from './runtime.js';
export type { Runtime } from './runtime.js';
export type { Role } from './roles.js';
export { listen } from './listen.js';
