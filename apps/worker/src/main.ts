import { createServer } from 'node:http';
import { hostname } from 'node:os';
import { ConfigError, loadConfig } from '@knocker/config';
import { EgressConfigError, loadEgress } from '@knocker/egress';
import { createFlowGauges, createFlowMetrics, createFlowStore, flowEnabled } from '@knocker/flow';
import { createShutdown, redisCheck } from '@knocker/health';
import { createDeliveryMetrics, createQueueGauges, createRegistry, createScheduleGauge, createScheduleMetrics } from '@knocker/metrics';
import { KNOCKER_VERSION } from '@knocker/protocol';
import { createQueues, createSchedules, probeCluster, shardRetention, workerConnection } from '@knocker/queue';
import { createErrorReporter, createLogger, runMain, watchProcessErrors } from '@knocker/telemetry';
import { createMetricsApp } from './metrics-server.js';
import { leaseHolder, queueSnapshots } from './queue-gauges.js';
import { startWorkers } from './workers.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger({ name: 'worker', ...config.log });
  const reporter = createErrorReporter({ dsn: config.sentry.dsn, release: KNOCKER_VERSION, serverName: hostname() });
  watchProcessErrors(logger, reporter);
  logger[config.privateNetworks.exposed ? 'warning' : 'info'](config.privateNetworks.notice);
  // EGRESS_PROXY, EGRESS_NO_PROXY, TARGET_TLS and TARGET_AUTH, with the files they name.
  const egress = await loadEgress(process.env, { network: config.network, logger, signals: process });
  const seedProblem = config.redisCluster && (await probeCluster(config.redisCluster, Math.max(config.redisTimeoutMs, 3000), (m) => logger.warning(m)));
  if (seedProblem) throw new ConfigError({ REDIS_CLUSTER_NODES: seedProblem });
  const connection = workerConnection(config.redisCluster ?? config.redisUrl);
  connection.on('error', (err) => logger.debug(`Redis: ${err.message}`));
  const queues = createQueues(connection, config.queuePrefix, config.queueShards);
  // Under QUEUE_PREFIX itself, whatever QUEUE_SHARDS says: a change of layout never strands them.
  const schedules = createSchedules(connection, config.queuePrefix, config.retention);

  const registry = createRegistry();
  const workers = startWorkers({
    connection,
    queues,
    concurrency: config.workerConcurrency,
    maxRedirects: config.maxRedirects,
    hostsOnly: config.hostsOnly,
    backoffFactorMax: config.backoffFactorMax,
    retention: shardRetention(config.retention, config.queueShards),
    retryAfterMaxMs: config.retryAfterMaxMs,
    signingKeys: config.signingKeys,
    successCallbackMaxBody: config.successCallbackMaxBody,
    logger,
    reporter,
    reportFailedRequests: config.sentry.failedRequests,
    metrics: createDeliveryMetrics(registry),
    schedules: config.schedulesMax > 0 ? { store: schedules, metrics: createScheduleMetrics(registry) } : undefined,
    stalled: config.stalled,
    network: config.network,
    queuePrefix: config.queuePrefix,
    flow: config.flow,
    flowMetrics: flowEnabled(config.flow) ? createFlowMetrics(registry) : undefined,
    egress,
  });
  if (config.metricsEnabled) createQueueGauges(registry, queueSnapshots({ redis: connection, prefix: config.queuePrefix, shards: () => queues.all, leaseMs: 30_000 }));
  // Shards of another QUEUE_SHARDS layout still in Redis are drained too, whatever this
  // worker's own setting: changing it never strands requests.
  const refresh = () => queues.refresh().then((found) => {
    if (found.length === 0) return;
    logger.info(`Consuming ${found.length} more shards, of another QUEUE_SHARDS layout found in Redis`);
    workers.consume(found);
  }, (err: Error) => logger.debug(`Shard layouts not read: ${err.message}`));
  void refresh();
  const layouts = setInterval(() => void refresh(), LAYOUT_REFRESH_MS);
  if (config.metricsEnabled && flowEnabled(config.flow)) {
    const publisher = leaseHolder({ redis: connection, key: `${config.queuePrefix}:flow:metrics-publisher`, leaseMs: 30_000 });
    const flowStore = createFlowStore(connection, config.queuePrefix);
    createFlowGauges(registry, async () => ((await publisher()) ? flowStore.list(1000) : undefined));
  }
  if (config.metricsEnabled && config.schedulesMax > 0) {
    const publisher = leaseHolder({ redis: connection, key: `${config.queuePrefix}:schedules:metrics-publisher`, leaseMs: 30_000 });
    createScheduleGauge(registry, async () => ((await publisher()) ? schedules.counts() : undefined));
  }

  const shutdown = createShutdown({
    drainMs: 0,
    deadlineMs: config.shutdownTimeoutMs + 10_000,
    log: (m) => logger.info(m),
    exit: (code) => process.exit(code),
    steps: [
      { name: 'finish active deliveries', run: () => { clearInterval(layouts); return workers.close(config.shutdownTimeoutMs); } },
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
    registry: config.metricsEnabled ? registry : undefined,
    health: { ...config.health, checks: [redisCheck(connection), deliveriesCheck], shuttingDown: () => shutdown.stopping },
  });
  const server = createServer(app);
  server.on('error', (err) => {
    logger.critical(`Cannot serve metrics on ${config.bindAddress}:${config.metricsPort} (METRICS_PORT): ${err.message}`);
    process.exit(1);
  });
  server.listen(config.metricsPort, config.bindAddress, () => {
    logger.info(`Knocker worker ${KNOCKER_VERSION} ready (pid ${process.pid}, concurrency ${config.workerConcurrency}, metrics on :${config.metricsPort})`);
  });
}

const LAYOUT_REFRESH_MS = 10_000;

void runMain('knocker worker', main, (err) => err instanceof ConfigError || err instanceof EgressConfigError);
