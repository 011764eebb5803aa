import { createServer } from 'node:http';
import { loadEgress } from '@knocker/egress';
import { redisCheck } from '@knocker/health';
import { createRegistry } from '@knocker/metrics';
import { KNOCKER_VERSION } from '@knocker/protocol';
import { listen, runApp } from '@knocker/runtime';
import { createMetricsApp } from './metrics-server.js';
import { startDelivering } from './processors.js';

void runApp('worker', async (rt) => {
  const { config, logger } = rt;
  const registry = createRegistry();
  // The files EGRESS_PROXY, TARGET_TLS and TARGET_AUTH name are read now; a bad one exits 78.
  const egress = await loadEgress(config.egress, { network: config.network, logger, env: process.env, signals: process });
  const deliveries = startDelivering(rt, registry, egress);
  if (config.metrics.enabled) rt.publishGauges(registry);
  rt.onShutdown('finish active deliveries', () => deliveries.close(config.worker.shutdownTimeoutMs));

  const server = createServer(createMetricsApp({
    registry: config.metrics.enabled ? registry : undefined,
    health: {
      ...config.health,
      checks: [redisCheck(rt.connection), {
        name: 'deliveries',
        path: 'deliveries',
        run: async () => {
          if (!deliveries.isRunning()) throw new Error('not consuming the queues');
        },
      }],
      shuttingDown: () => rt.shutdown.stopping,
    },
  }));
  rt.onShutdown('close metrics server', () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  }));
  listen(server, { port: config.metrics.port, host: config.api.bindAddress }, logger, {
    ready: () => `Knocker worker ${KNOCKER_VERSION} ready (pid ${process.pid}, concurrency ${config.worker.concurrency}, metrics on :${config.metrics.port})`,
    failure: (err) => `Cannot serve metrics on ${config.api.bindAddress}:${config.metrics.port} (METRICS_PORT): ${err.message}`,
  });
});
