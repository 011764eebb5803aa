import { createServer, type Server } from 'node:http';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError, loadConfig, redactUrl } from '@knocker/config';
import { createShutdown } from '@knocker/health';
import { KNOCKER_VERSION } from '@knocker/protocol';
import { createRequestStore, createSchedules, probeCluster, producerConnection } from '@knocker/queue';
import { createErrorReporter, createLogger, runMain, watchProcessErrors } from '@knocker/telemetry';
import { createApi } from './app.js';
import { apiDeps } from './deps.js';
import { answerClientError } from './client-error.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ name: 'api', ...config.telemetry.log });
  const reporter = createErrorReporter({ dsn: config.telemetry.sentry.dsn, release: KNOCKER_VERSION, serverName: hostname() });
  watchProcessErrors(logger, reporter);
  logger[config.network.privateNetworks.exposed ? 'warning' : 'info'](config.network.privateNetworks.notice);
  const seedProblem = config.redis.cluster && (await probeCluster(config.redis.cluster, Math.max(config.redis.timeoutMs, 3000), (m) => logger.warning(m)));
  if (seedProblem) throw new ConfigError({ REDIS_CLUSTER_NODES: seedProblem });
  const connection = producerConnection(config.redis.cluster ?? config.redis.url, config.redis.timeoutMs);
  const where = config.redis.cluster ? `the cluster (${config.redis.cluster.nodes.map((n) => `${n.host}:${n.port}`).join(', ')})` : redactUrl(config.redis.url);
  let redisDown = false;
  connection.on('error', (err) => {
    if (!redisDown) logger.warning(`Redis unreachable at ${where} (${err.message}); answering 503 until it is back`);
    redisDown = true;
  });
  connection.on('ready', () => {
    if (redisDown) logger.info('Redis is back; accepting requests again');
    redisDown = false;
  });
  const store = createRequestStore(connection, {
    prefix: config.queue.prefix, shards: config.queue.shards, timeoutMs: config.redis.timeoutMs, bounded: true, waitReplicas: config.redis.waitReplicas, log: logger,
  });
  // Under QUEUE_PREFIX itself, whatever QUEUE_SHARDS says: a change of layout never strands them.
  const schedules = createSchedules(connection, config.queue.prefix, config.queue.retention);

  let server: Server | undefined;
  const shutdown = createShutdown({
    drainMs: config.api.healthcheckIntervalMs,
    deadlineMs: config.api.healthcheckIntervalMs + config.api.writeTimeoutMs + 5000,
    log: (m) => logger.info(m),
    exit: (code) => process.exit(code),
    steps: [
      {
        name: 'finish in-flight requests',
        run: () => new Promise<void>((resolve) => {
          if (!server) return resolve();
          server.close(() => resolve());
          server.closeIdleConnections();
        }),
      },
      { name: 'close queues', run: async () => void (await Promise.allSettled([store.close(), schedules.close()])) },
      { name: 'close Redis', run: async () => void (await connection.quit().catch(() => connection.disconnect())) },
      { name: 'flush reports', run: async () => void (await reporter.flush(2000)) },
      { name: 'close log', run: async () => { logger.info('Api stopped'); await logger.close(); } },
    ],
  });
  shutdown.listen();

  if (!config.board.user) logger.info(`Bull Board is not mounted: set BOARD_USER and BOARD_PASSWORD to serve it at ${config.board.path}`);
  // Bull Board and its UI are loaded only when mounted: they are a tenth of an idle api's memory.
  const board = config.board.user ? (await import('./board.js')).createBoard(config.board, store, schedules.queue) : undefined;
  const app = createApi(apiDeps({ config, connection, store, schedules, logger, reporter, shuttingDown: () => shutdown.stopping }, board));

  // Give Redis a moment so the first requests after a start are not refused; without it the
  // api still starts, answers 503 and accepts as soon as Redis is reachable.
  await Promise.race([new Promise((resolve) => connection.once('ready', resolve)), sleep(config.redis.timeoutMs)]);
  // of-watchdog's read_timeout: the whole request, body included, must arrive in time; Node
  // checks that only every connectionsCheckingInterval, hence a short one.
  server = createServer({
    requestTimeout: config.api.readTimeoutMs,
    headersTimeout: config.api.readTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, config.api.readTimeoutMs),
  }, app);
  server.listen(config.api.port, config.api.bindAddress, () => {
    const waiting = connection.status === 'ready' ? '' : ', waiting for Redis';
    logger.info(`Knocker api ${KNOCKER_VERSION} listening on http://${config.api.bindAddress}:${config.api.port} (pid ${process.pid}${waiting})`);
  });
  server.on('clientError', answerClientError);
  server.on('error', (err) => {
    logger.critical(`Cannot listen on ${config.api.bindAddress}:${config.api.port}: ${err.message}`);
    process.exit(1);
  });
}

void runMain('knocker api', main, (err) => err instanceof ConfigError);
