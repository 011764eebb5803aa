import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { ConfigError, loadConfig } from '@knocker/config';
import { LISTED_KEYS } from '@knocker/contract';
import { createFlowGauges, createFlowMetrics, createFlowStore, flowEnabled } from '@knocker/flow';
import { createShutdown, redisCheck } from '@knocker/health';
import { createDeliveryMetrics, createQueueGauges, createRegistry, createScheduleGauge, createScheduleMetrics } from '@knocker/metrics';
import { KNOCKER_VERSION } from '@knocker/protocol';
import { prefixKeys } from '@knocker/keys';
import { createLease, createQueues, createSchedules, probeCluster, shardRetention, workerConnection } from '@knocker/queue';
import { createErrorReporter, createLogger, runMain, watchProcessErrors } from '@knocker/telemetry';
import { createMetricsApp } from './metrics-server.js';
import { queueSnapshots } from './queue-gauges.js';
import { startWorkers } from './workers.js';

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
  const queues = createQueues(connection, config.queue.prefix, config.queue.shards);
  // Under QUEUE_PREFIX itself, whatever QUEUE_SHARDS says: a change of layout never strands them.
  const schedules = createSchedules(connection, config.queue.prefix, config.queue.retention);

  const registry = createRegistry();
  const { leases } = prefixKeys(config.queue.prefix);
  const workers = startWorkers({
    connection,
    queues,
    concurrency: config.worker.concurrency,
    maxRedirects: config.worker.maxRedirects,
    hostsOnly: config.protocol.hostsOnly,
    backoffFactorMax: config.protocol.backoffFactorMax,
    retention: shardRetention(config.queue.retention, config.queue.shards),
    retryAfterMaxMs: config.worker.retryAfterMaxMs,
    signingKeys: config.worker.signingKeys,
    successCallbackMaxBody: config.worker.successCallbackMaxBody,
    logger,
    reporter,
    reportFailedRequests: config.telemetry.sentry.failedRequests,
    metrics: createDeliveryMetrics(registry),
    schedules: config.schedules.max > 0 ? { store: schedules, metrics: createScheduleMetrics(registry) } : undefined,
    stalled: config.worker.stalled,
    network: config.network,
    queuePrefix: config.queue.prefix,
    flow: config.flow,
    flowMetrics: flowEnabled(config.flow) ? createFlowMetrics(registry) : undefined,
  });
  if (config.metrics.enabled) createQueueGauges(registry, queueSnapshots({ redis: connection, lease: leases.queues, shards: () => queues.all, leaseMs: 30_000 }));
  // Shards of another QUEUE_SHARDS layout still in Redis are drained too, whatever this
  // worker's own setting: changing it never strands requests.
  const refresh = () => queues.refresh().then((found) => {
    if (found.length === 0) return;
    logger.info(`Consuming ${found.length} more shards, of another QUEUE_SHARDS layout found in Redis`);
    workers.consume(found);
  }, (err: Error) => logger.debug(`Shard layouts not read: ${err.message}`));
  void refresh();
  const layouts = setInterval(() => void refresh(), LAYOUT_REFRESH_MS);
  if (config.metrics.enabled && flowEnabled(config.flow)) {
    const publisher = createLease(connection, leases.flow, 30_000);
    const flowStore = createFlowStore(connection, config.queue.prefix);
    createFlowGauges(registry, async () => ((await publisher()) ? flowStore.list(LISTED_KEYS) : undefined));
  }
  if (config.metrics.enabled && config.schedules.max > 0) {
    const publisher = createLease(connection, leases.schedules, 30_000);
    createScheduleGauge(registry, async () => ((await publisher()) ? schedules.counts() : undefined));
  }

  const shutdown = createShutdown({
    drainMs: 0,
    deadlineMs: config.worker.shutdownTimeoutMs + 10_000,
    log: (m) => logger.info(m),
    exit: (code) => process.exit(code),
    steps: [
      { name: 'finish active deliveries', run: () => { clearInterval(layouts); return workers.close(config.worker.shutdownTimeoutMs); } },
      { name: 'close metrics server', run: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }) },
      { name: 'close queues', run: async () => void (await Promise.allSettled([queues.close(), schedules.close()])) },
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

const LAYOUT_REFRESH_MS = 10_000;

void runMain('knocker worker', main, (err) => err instanceof ConfigError);
