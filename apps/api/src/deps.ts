import type { RequestListener } from 'node:http';
import type { Config } from '@knocker/config';
import { createFlowStore, type FlowStore } from '@knocker/flow';
import { redisCheck, type HealthOptions } from '@knocker/health';
import { createHttpMetrics, createRegistry, type HttpMetrics, type Registry } from '@knocker/metrics';
import { createAddressPolicy, rememberRefusals } from '@knocker/netguard';
import { buildOpenApi, openApiOptions, renderOpenApi } from '@knocker/openapi';
import type { RequestStore, Schedules } from '@knocker/queue';
import type { Runtime } from '@knocker/runtime';
import type { ErrorReporter, Logger } from '@knocker/telemetry';
import type { Tracing } from '@knocker/tracing';
import { workersCheck } from './admin/checks.js';

/** What the api is built from: the configuration groups it reads, the stores, and the process's telemetry. */
export interface ApiDeps {
  config: Pick<Config, 'api' | 'protocol' | 'redis' | 'flow' | 'schedules' | 'qstash'>;
  store: RequestStore;
  schedules: Schedules;
  flow: FlowStore;
  /** False while the Redis connection is down: the api then answers 503 at once. */
  queueReady: () => boolean;
  /** Why an IP literal given as target or callback host is refused, if it is. */
  refuseAddress: (hostname: string) => string | undefined;
  /** The OpenAPI document, rendered once: served as is at <prefix>/openapi.json. */
  openApi: string;
  logger: Logger;
  reporter: ErrorReporter;
  tracing: Tracing;
  /** Absent when METRICS_ENABLED is false: no counting, no /metrics. */
  registry: Registry | undefined;
  metrics: HttpMetrics;
  health: HealthOptions & { path: string };
  /** Absent when no credentials are configured: the board is then not mounted (nor loaded). */
  board: { path: string; router: RequestListener } | undefined;
}

/** The api's dependencies from what its process owns; one place, so what tests build is what runs. */
export function apiDeps(rt: Pick<Runtime, 'config' | 'connection' | 'store' | 'schedules' | 'logger' | 'reporter' | 'tracing' | 'shutdown'>, board?: RequestListener): ApiDeps {
  const { config, connection, store } = rt;
  const registry = createRegistry();
  // IP literals are judged at the door: there is nothing to resolve, so a refusal is a 400 now
  // rather than a failed delivery later.
  const policy = rememberRefusals(createAddressPolicy(config.network));
  return {
    config,
    store,
    schedules: rt.schedules,
    flow: createFlowStore(connection, config.queue.prefix),
    queueReady: () => connection.status === 'ready',
    refuseAddress: (hostname) => policy.refusal(hostname)?.reason,
    openApi: renderOpenApi(buildOpenApi(openApiOptions(config))),
    logger: rt.logger,
    reporter: rt.reporter,
    tracing: rt.tracing,
    registry: config.metrics.enabled ? registry : undefined,
    metrics: createHttpMetrics(registry),
    health: { ...config.health, checks: [redisCheck(connection), workersCheck(store)], shuttingDown: () => rt.shutdown.stopping },
    board: board ? { path: config.board.path, router: board } : undefined,
  };
}
