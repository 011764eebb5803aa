import { hostname } from 'node:os';
import { ConfigError, loadConfig } from '@knocker/config';
import { KNOCKER_VERSION } from '@knocker/protocol';
import { workerConnection } from '@knocker/queue';
import { createErrorReporter, createLogger, watchProcessErrors } from '@knocker/telemetry';
import { startWorkers } from './workers.js';

function main(): void {
  const config = loadConfig(process.env);
  const logger = createLogger({ name: 'worker', ...config.log });
  const reporter = createErrorReporter({ dsn: config.sentry.dsn, release: KNOCKER_VERSION, serverName: hostname() });
  watchProcessErrors(logger, reporter);
  const connection = workerConnection(config.redisUrl);
  connection.on('error', (err) => logger.debug(`Redis: ${err.message}`));

  const workers = startWorkers({
    connection,
    prefix: config.queuePrefix,
    concurrency: config.workerConcurrency,
    maxRedirects: config.maxRedirects,
    backoffFactorMax: config.backoffFactorMax,
    retention: config.retention,
    logger,
    reporter,
    reportFailedRequests: config.sentry.failedRequests,
    stalled: config.stalled,
    network: config.network,
  });
  logger.info(`Knocker worker ${KNOCKER_VERSION} ready (pid ${process.pid}, concurrency ${config.workerConcurrency})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: finishing active deliveries (up to ${config.shutdownTimeoutMs} ms)`);
    await workers.close(config.shutdownTimeoutMs);
    await connection.quit().catch(() => connection.disconnect());
    await reporter.flush(2000);
    logger.info('Worker stopped');
    await logger.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

try {
  main();
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`knocker worker: ${err.message}`);
  process.exit(78);
}
