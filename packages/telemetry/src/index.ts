export { createLogger } from './logger.js';
export type { Logger, LoggerOptions } from './logger.js';
export type { LogLevel } from './levels.js';
export type { LogMeta } from './record.js';
export { createErrorReporter } from './sentry.js';
export type { ErrorReporter, ErrorReporterOptions } from './sentry.js';
export { runMain, watchProcessErrors } from './process-errors.js';
