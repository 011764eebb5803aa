import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig } from '@knocker/config';
import { KNOCKER_VERSION } from '@knocker/protocol';
import { createQueues, producerConnection } from '@knocker/queue';
import { createErrorReporter, createLogger, watchProcessErrors } from '@knocker/telemetry';
import { createApp } from './app.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ name: 'api', ...config.log });
  const reporter = createErrorReporter({ dsn: config.sentry.dsn, release: KNOCKER_VERSION, serverName: hostname() });
  watchProcessErrors(logger, reporter);
  const connection = producerConnection(config.redisUrl, config.redisTimeoutMs);
  let redisDown = false;
  connection.on('error', (err) => {
    if (!redisDown) logger.warning(`Redis unreachable at ${redactUrl(config.redisUrl)} (${err.message}); answering 503 until it is back`);
    redisDown = true;
  });
  connection.on('ready', () => {
    if (redisDown) logger.info('Redis is back; accepting requests again');
    redisDown = false;
  });
  const queues = createQueues(connection, config.queuePrefix);
  for (const q of [queues.delivery, queues.callback]) q.on('error', () => undefined); // reported once above

  const app = createApp({
    limits: config,
    queues,
    queueReady: () => connection.status === 'ready',
    retention: config.retention,
    maxBodySize: config.maxBodySize,
    redisTimeoutMs: config.redisTimeoutMs,
    statusUrl: config.statusUrl,
    reservedPrefix: config.reservedPrefix,
    adminApiKey: config.adminApiKey,
    requestLog: config.requestLog,
    logger,
    reporter,
  });
  // Give Redis a moment so the first requests after a start are not refused; without it the
  // api still starts, answers 503 and accepts as soon as Redis is reachable.
  await Promise.race([new Promise((resolve) => connection.once('ready', resolve)), sleep(config.redisTimeoutMs)]);
  const server = app.listen(config.port, config.bindAddress, () => {
    const waiting = connection.status === 'ready' ? '' : ', waiting for Redis';
    logger.info(`Knocker api ${KNOCKER_VERSION} listening on http://${config.bindAddress}:${config.port} (pid ${process.pid}${waiting})`);
  });
  server.on('error', (err) => {
    logger.critical(`Cannot listen on ${config.bindAddress}:${config.port}: ${err.message}`);
    process.exit(1);
  });

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: finishing in-flight requests`);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
    await queues.close();
    await connection.quit().catch(() => connection.disconnect());
    await reporter.flush(2000);
    logger.info('Api stopped');
    await logger.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}

main().catch((err: unknown) => {
  if (!(err instanceof ConfigError)) throw err;
  console.error(`knocker api: ${err.message}`);
  process.exit(78);
});
