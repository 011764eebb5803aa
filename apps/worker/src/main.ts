import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { ConfigError, loadConfig } from '@knocker/config';
import { LISTED_KEYS } from '@knocker/contract';
import { createFlowGauges, createFlowStore, flowEnabled } from '@knocker/flow';
import { createShutdown, redisCheck } from '@knocker/health';
import { prefixKeys } from '@knocker/keys';
import { createQueueGauges, createRegistry, createScheduleGauge } from '@knocker/metrics';
import { KNOCKER_VERSION } from '@knocker/protocol';
import { createLease, createRequestStore, createSchedules, probeCluster, workerConnection } from '@knocker/queue';
import { createErrorReporter, createLogger, runMain, watchProcessErrors } from '@knocker/telemetry';
import { createMetricsApp } from './metrics-server.js';
import { startDelivering } from './processors.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ name: 'worker', ...config.telemetry.log });
  const reporter = createErrorReporter({ dsn: config.telemetry.sentry.dsn, release: KNOCKER_VERSION, serverName: hostname() });
  watchProcessErrors(logger, reporter);
  logger[config.network.privateNetworks.exposed ? 'warning' : 'info'](config.network.privateNetworks.notice);
  const seedProblem = config.redis.cluster && (await probeCluster(config.redis.cluster, Math.max(config.redis.timeoutMs, 3000), (m) => logger.warning(m)));
  if (seedProblem) throw new ConfigError({ REDIS_CLUSTER_NODES: seedProblem });
  const connection = workerConnection(config.redis.cluster ?? config.redis.url);
  connection.on('error', (err) => logger.debug(`Redis: ${err.message}`));
  const store = createRequestStore(connection, { prefix: config.queue.prefix, shards: config.queue.shards, timeoutMs: config.redis.timeoutMs, bounded: false, log: logger });
  // Under QUEUE_PREFIX itself, whatever QUEUE_SHARDS says: a change of layout never strands them.
  const schedules = createSchedules(connection, config.queue.prefix, config.queue.retention);

  const registry = createRegistry();
  const { leases } = prefixKeys(config.queue.prefix);
  const workers = startDelivering({ config, connection, store, schedules, logger, reporter }, registry);
  const leased = <T>(key: string, read: () => Promise<T>) => {
    const held = createLease(connection, key, 30_000);
    return async () => ((await held()) ? read() : undefined);
  };
  if (config.metrics.enabled) createQueueGauges(registry, leased(leases.queues, () => store.stats()));
  if (config.metrics.enabled && flowEnabled(config.flow)) {
    const flowStore = createFlowStore(connection, config.queue.prefix);
    createFlowGauges(registry, leased(leases.flow, () => flowStore.list(LISTED_KEYS)));
  }
  if (config.metrics.enabled && config.schedules.max > 0) createScheduleGauge(registry, leased(leases.schedules, () => schedules.counts()));

  const shutdown = createShutdown({
    drainMs: 0,
    deadlineMs: config.worker.shutdownTimeoutMs + 10_000,
    log: (m) => logger.info(m),
    exit: (code) => process.exit(code),
    steps: [
      { name: 'finish active deliveries', run: () => workers.close(config.worker.shutdownTimeoutMs) },
      { name: 'close metrics server', run: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }) },
      { name: 'close queues', run: async () => void (await Promise.allSettled([store.close(), schedules.close()])) },
      { name: 'close Redis', run: async () => void (await connection.quit().catch(() => connection.disconnect())) },
      { name: 'flush reports', run: async () => void (await reporter.flush(2000)) },
      { name: 'close log', run: async () => { logger.info('Worker stopped'); await logger.close(); } },
    ],
  });
  shutdown.listen();

  const deliveriesCheck = {
    name: 'deliveries',
    path: 'deliveries',
    run: async () => {
      if (!workers.isRunning()) throw new Error('not consuming the queues');
    },
  };
  const app = createMetricsApp({
    registry: config.metrics.enabled ? registry : undefined,
    health: { ...config.health, checks: [redisCheck(connection), deliveriesCheck], shuttingDown: () => shutdown.stopping },
  });
  const server = createServer(app);
  server.on('error', (err) => {
    logger.critical(`Cannot serve metrics on ${config.api.bindAddress}:${config.metrics.port} (METRICS_PORT): ${err.message}`);
    process.exit(1);
  });
  server.listen(config.metrics.port, config.api.bindAddress, () => {
    logger.info(`Knocker worker ${KNOCKER_VERSION} ready (pid ${process.pid}, concurrency ${config.worker.concurrency}, metrics on :${config.metrics.port})`);
  });
}

void runMain('knocker worker', main, (err) => err instanceof ConfigError);
