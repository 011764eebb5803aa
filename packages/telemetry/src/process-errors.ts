import type { Logger } from './logger.js';
import type { ErrorReporter } from './sentry.js';

/**
 * Logs and reports what escaped every handler. An uncaught exception leaves the process in an
 * unknown state, so it exits after the report is flushed; queued work is safe in Redis.
 *
 * An unhandled rejection, once the process runs, is logged and reported but does not end it: it
 * is an operation whose result nobody waited for (a Redis command that lost a race with its
 * timeout, say), failing after the code that started it has moved on, with no half-run stack
 * behind it. Ending the api or a worker for it would cut every request and delivery under
 * way, and, with Redis unsteady, turn one library's stray rejection into a crash loop. What
 * fails while the process starts ends it: see `runMain`.
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

/** What a configuration error exits with (BSD's EX_CONFIG): restarting cannot help. */
const EX_CONFIG = 78;

/**
 * Runs an app's start-up, `main`. If it fails the process ends, saying why on stderr: with 78
 * for a configuration error (`isConfigError`), else 1. A process that neither listens nor
 * exits would look started to whatever runs it, and never serve.
 */
export function runMain(name: string, main: () => Promise<void>, isConfigError: (err: unknown) => boolean, exit: (code: number) => void = (code) => process.exit(code)): Promise<void> {
  return main().catch((err: unknown) => {
    const config = isConfigError(err);
    const why = config && err instanceof Error ? err.message : `start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    process.stderr.write(`${name}: ${why}\n`);
    exit(config ? EX_CONFIG : 1);
  });
}
