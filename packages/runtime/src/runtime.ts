import { hostname } from 'node:os';
import { ConfigError, loadConfig, redactUrl, type Config } from '@knocker/config';
import { createShutdown, type Shutdown, type ShutdownStep } from '@knocker/health';
import type { Registry } from '@knocker/metrics';
import { KNOCKER_VERSION } from '@knocker/protocol';
import { createRequestStore, createSchedules, probeCluster, type Connection, type RequestStore, type Schedules } from '@knocker/queue';
import { createErrorReporter, createLogger, runMain, watchProcessErrors, type ErrorReporter, type Logger } from '@knocker/telemetry';
import { startTracing, type Tracing } from '@knocker/tracing';
import { publishGauges } from './gauges.js';
import { redisReady, watchRedis } from './redis.js';
import { ROLES, type Role } from './roles.js';

/** What both apps start from: the configuration, telemetry, Redis, the stores and the shutdown. */
export interface Runtime {
  config: Config;
  logger: Logger;
  reporter: ErrorReporter;
  /** OTEL_*: spans to a collector; `noTracing` (nothing loaded, nothing done) when unset. */
  tracing: Tracing;
  connection: Connection;
  store: RequestStore;
  /** Under QUEUE_PREFIX itself, whatever QUEUE_SHARDS says: a change of layout never strands them. */
  schedules: Schedules;
  /** `stopping` from the first signal on: health checks read it. */
  shutdown: Pick<Shutdown, 'stopping'>;
  /** A step to run when stopping, before the runtime's own (stores, Redis, reports, log), in the order added. */
  onShutdown(name: string, run: ShutdownStep['run']): void;
  /** Resolves when Redis says it is ready, or after `ms`. */
  redisReady(ms: number): Promise<void>;
  /** Publishes the gauges read from Redis, in the one process holding each lease. */
  publishGauges(registry: Registry): void;
}

/** A cluster's seeds or the sentinels, as the configuration names them: a mistake there exits 78. */
async function probeTopology(config: Config, logger: Logger): Promise<void> {
  const { cluster, sentinel, timeoutMs } = config.redis;
  const warn = (m: string) => logger.warning(m);
  const probeMs = Math.max(timeoutMs, 3000);
  const seedProblem = cluster && (await probeCluster(cluster, probeMs, warn));
  if (seedProblem) throw new ConfigError({ REDIS_CLUSTER_NODES: seedProblem });
  if (sentinel === undefined) return;
  const { probeSentinels } = await import('@knocker/queue/sentinel');
  const found = await probeSentinels(sentinel, probeMs, warn);
  if (found) throw new ConfigError({ [found.variable]: found.problem });
}

/** config -> logger and reporter -> Redis (single, cluster or sentinel) -> stores -> shutdown. */
export async function startRuntime(role: Role, env: NodeJS.ProcessEnv): Promise<Runtime> {
  const traits = ROLES[role];
  const config = loadConfig(env);
  const logger = createLogger({ name: role, ...config.telemetry.log });
  const reporter = createErrorReporter({ dsn: config.telemetry.sentry.dsn, release: KNOCKER_VERSION, serverName: hostname() });
  watchProcessErrors(logger, reporter);
  const tracing = await startTracing(config.telemetry.tracing, { role, version: KNOCKER_VERSION, warn: (m) => logger.warning(m) });
  if (config.telemetry.tracing) logger.info(`Tracing: spans go to ${redactUrl(config.telemetry.tracing.url)} as ${config.telemetry.tracing.protocol}`);
  const { privateNetworks } = config.network;
  logger[privateNetworks.exposed ? 'warning' : 'info'](privateNetworks.notice);
  await probeTopology(config, logger);
  const connection = traits.connect(config);
  watchRedis(connection, config, logger, traits.redisTransitions);
  const store = createRequestStore(connection, {
    prefix: config.queue.prefix, shards: config.queue.shards, timeoutMs: config.redis.timeoutMs, bounded: traits.bounded,
    waitReplicas: traits.bounded ? config.redis.waitReplicas : 0, log: logger,
  });
  const schedules = createSchedules(connection, config.queue.prefix, config.queue.retention);

  // Read when the shutdown begins: the app's steps, in the order added, then the runtime's.
  const steps: ShutdownStep[] = [
    { name: 'close queues', run: async () => void (await Promise.allSettled([store.close(), schedules.close()])) },
    { name: 'close Redis', run: async () => void (await connection.quit().catch(() => connection.disconnect())) },
    { name: 'flush traces', run: () => tracing.shutdown() },
    { name: 'flush reports', run: async () => void (await reporter.flush(2000)) },
    { name: 'close log', run: async () => { logger.info(traits.stopped); await logger.close(); } },
  ];
  let added = 0;
  const shutdown = createShutdown({
    drainMs: traits.drainMs(config),
    deadlineMs: traits.deadlineMs(config),
    log: (m) => logger.info(m),
    exit: (code) => process.exit(code),
    steps,
  });
  shutdown.listen();

  return {
    config, logger, reporter, tracing, connection, store, schedules, shutdown,
    onShutdown: (name, run) => void steps.splice(added++, 0, { name, run }),
    redisReady: (ms) => redisReady(connection, ms),
    publishGauges: (registry) => publishGauges(registry, { config, connection, store, schedules }),
  };
}

/**
 * Starts an app: its runtime, then `app`. A failed start ends the process saying why, with 78
 * for a configuration error, else 1 (runMain).
 */
export function runApp(role: Role, app: (rt: Runtime) => Promise<void>): Promise<void> {
  return runMain(`knocker ${role}`, async () => app(await startRuntime(role, process.env)), (err) => err instanceof ConfigError);
}
