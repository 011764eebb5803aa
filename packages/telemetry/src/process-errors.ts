import type { Logger } from './logger.js';
import type { ErrorReporter } from './sentry.js';

/**
 * Logs and reports what escaped every handler. An uncaught exception leaves the process in an
 * unknown state, so it exits after the report is flushed; queued work is safe in Redis.
 */
export function watchProcessErrors(logger: Logger, reporter: ErrorReporter): void {
  process.on('unhandledRejection', (err) => {
    logger.error(`Unhandled rejection: ${err instanceof Error ? err.stack : String(err)}`);
    reporter.captureException(err);
  });
  process.on('uncaughtException', (err) => {
    logger.critical(`Uncaught exception: ${err.stack ?? err.message}`);
    reporter.captureException(err);
    void reporter.flush(2000).finally(() => process.exit(1));
  });
}
