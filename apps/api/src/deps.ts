import type { RequestListener } from 'node:http';
import type { Config } from '@knocker/config';
import { createFlowStore } from '@knocker/flow';
import { redisCheck } from '@knocker/health';
import { createHttpMetrics, createRegistry } from '@knocker/metrics';
import { createAddressPolicy, rememberRefusals } from '@knocker/netguard';
import { buildOpenApi, openApiOptions, renderOpenApi } from '@knocker/openapi';
import type { Connection, Queues, Schedules } from '@knocker/queue';
import type { ErrorReporter, Logger } from '@knocker/telemetry';
import type { ApiDeps } from './app.js';
import { workersCheck } from './checks.js';

/** What the process owns and the api only uses: the connection, the queues, logging, the shutdown. */
export interface ApiRuntime {
  connection: Connection;
  queues: Queues;
  schedules: Schedules;
  logger: Logger;
  reporter: ErrorReporter;
  /** Bull Board's router, when BOARD_USER and BOARD_PASSWORD mount it. */
  board: RequestListener | undefined;
  shuttingDown: () => boolean;
}

/** The api's dependencies as the configuration says; one place, so what tests build is what runs. */
export function apiDeps(config: Config, rt: ApiRuntime): ApiDeps {
  const { connection, queues } = rt;
  const registry = createRegistry();
  // IP literals are judged at the door: there is nothing to resolve, so a refusal is a 400 now
  // rather than a failed delivery later.
  const policy = rememberRefusals(createAddressPolicy(config.network));
  return {
    limits: { ...config.protocol, refuseAddress: (hostname) => policy.refusal(hostname)?.reason },
    queues,
    schedules: rt.schedules,
    schedulesMax: config.schedules.max,
    queueReady: () => connection.status === 'ready',
    maxBodySize: config.api.maxBodySize,
    redisTimeoutMs: config.redis.timeoutMs,
    waitReplicas: config.redis.waitReplicas,
    statusUrl: config.api.statusUrl,
    reservedPrefix: config.api.reservedPrefix,
    adminApiKey: config.api.adminApiKey,
    openApi: renderOpenApi(buildOpenApi(openApiOptions(config))),
    requestLog: config.api.requestLog,
    flow: { store: createFlowStore(connection, config.queue.prefix), settings: config.flow },
    logger: rt.logger,
    reporter: rt.reporter,
    registry: config.metrics.enabled ? registry : undefined,
    metrics: createHttpMetrics(registry),
    health: { ...config.health, checks: [redisCheck(connection), workersCheck(() => queues.all)], shuttingDown: rt.shuttingDown },
    board: rt.board ? { path: config.board.path, router: rt.board } : undefined,
    maxInflight: config.api.shedding.maxInflight,
    maxEventLoopDelayMs: config.api.shedding.maxEventLoopDelayMs,
    maxAnswerDelayMs: config.api.shedding.maxAnswerDelayMs,
    writeTimeoutMs: config.api.writeTimeoutMs,
    apiKeys: config.api.apiKeys,
  };
}
