import { decidePrivateNetworks, type PrivateNetworks } from './exposure.js';
import type { FlowSettings } from './flow.js';
import type { ClusterSeeds } from './parse.js';
import type { Env } from './schema.js';

// The configuration grouped by who reads it, so that each part of the apps is handed the
// groups it uses. Defaults live in the schema alone (schema.ts); units are in the names.

/** The Redis both apps connect to. */
export interface RedisSettings {
  url: string;
  /** Set when REDIS_CLUSTER_NODES is: the queues then live on a Redis Cluster and `url` is not used. */
  cluster: ClusterSeeds | undefined;
  /** REDIS_WAIT_REPLICAS: 0 answers as soon as the master has the request. */
  waitReplicas: number;
  timeoutMs: number;
}

/** What RETAIN_* keeps of finished jobs, for the whole deployment. */
export interface Retention {
  completed: { count: number; age: number };
  failed: { count: number; age: number };
}

/** Where requests are stored. */
export interface QueueSettings {
  prefix: string;
  shards: number;
  retention: Retention;
}

/** Server-wide bounds and defaults of the per-request headers, as the protocol reads them. */
export interface ProtocolSettings {
  scheme: 'http' | 'https';
  timeout: number;
  timeoutMax: number;
  retries: number;
  retriesMax: number;
  backoffFactor: number;
  backoffFactorMax: number;
  /** Lower-case `name` or `name:port` entries; empty allows every host. */
  hostsOnly: readonly string[];
  /** DELAY_MAX in seconds: the furthest `Knocker-Delay` and `Knocker-Not-Before` may reach. */
  delayMax: number;
}

/** Load shedding: 0 turns each guard off. */
export interface SheddingSettings {
  maxInflight: number;
  maxEventLoopDelayMs: number;
  maxAnswerDelayMs: number;
}

export interface ApiSettings {
  port: number;
  bindAddress: string;
  statusUrl: string;
  /** Path prefix of Knocker's own routes (inspection, replay, cancel, log lines); never relayed. */
  reservedPrefix: string;
  maxBodySize: number;
  readTimeoutMs: number;
  writeTimeoutMs: number;
  healthcheckIntervalMs: number;
  /** Empty: relaying needs no key. */
  apiKeys: string[];
  /** Empty when the admin routes are off. */
  adminApiKey: string;
  requestLog: { maxLines: number; maxBytes: number; requiresAdminKey: boolean };
  shedding: SheddingSettings;
}

/** How a dying worker's jobs are taken over (BullMQ's stalled-job check). */
export interface StalledSettings {
  lockDurationMs: number;
  stalledIntervalMs: number;
  maxStalledCount: number;
}

export interface WorkerSettings {
  concurrency: number;
  maxRedirects: number;
  /** The longest wait a target's Retry-After may ask for before the next attempt. */
  retryAfterMaxMs: number;
  /** Bytes of a delivered answer's body a success callback carries. */
  successCallbackMaxBody: number;
  /** The decoded SIGNING_SECRETS; empty when messages are not signed. Never logged or stored. */
  signingKeys: Buffer[];
  shutdownTimeoutMs: number;
  stalled: StalledSettings;
}

/** The address policy; `privateNetworks` says how BLOCK_PRIVATE_NETWORKS was resolved, in the line both apps log. */
export interface NetworkSettings {
  blockPrivateNetworks: boolean;
  allowedNetworks: string[];
  privateNetworks: PrivateNetworks;
}

export interface HealthSettings {
  path: string;
  detailed: boolean;
  timeoutMs: number;
  cache: { seconds: number; mode: 'header' | 'memory' | 'header+memory' };
  apiKey: string;
  corsOrigin: string;
}

/** Bull Board; mounted only when both credentials are set. */
export interface BoardSettings {
  path: string;
  user: string;
  password: string;
}

export interface TelemetrySettings {
  log: { file: string; level: 'debug' | 'info' | 'warning' | 'error' | 'critical'; format: string };
  sentry: { dsn: string; failedRequests: boolean };
}

export interface Config {
  redis: RedisSettings;
  queue: QueueSettings;
  protocol: ProtocolSettings;
  api: ApiSettings;
  worker: WorkerSettings;
  network: NetworkSettings;
  /** Per-key limits and the circuit breaker; all off by default. */
  flow: FlowSettings;
  /** `max` 0: schedules are off and Knocker-Cron is refused. */
  schedules: { max: number };
  health: HealthSettings;
  board: BoardSettings;
  /** When `enabled` is false, nothing is counted for /metrics and the route is not served. */
  metrics: { enabled: boolean; port: number };
  telemetry: TelemetrySettings;
}

export function toConfig(env: Env, hostLimits: FlowSettings['overrides'] = new Map()): Config {
  const privateNetworks = decidePrivateNetworks(env.BLOCK_PRIVATE_NETWORKS, env.BIND_ADDRESS, env.KNOCKER_API_KEYS);
  return {
    redis: { url: env.REDIS_URL, cluster: env.REDIS_CLUSTER_NODES, waitReplicas: env.REDIS_WAIT_REPLICAS, timeoutMs: env.REDIS_TIMEOUT_MS },
    queue: {
      prefix: env.QUEUE_PREFIX,
      shards: env.QUEUE_SHARDS,
      retention: {
        completed: { count: env.RETAIN_COMPLETED_COUNT, age: env.RETAIN_COMPLETED_AGE },
        failed: { count: env.RETAIN_FAILED_COUNT, age: env.RETAIN_FAILED_AGE },
      },
    },
    protocol: {
      scheme: env.SCHEME,
      timeout: env.TIMEOUT,
      timeoutMax: env.TIMEOUT_MAX,
      retries: env.RETRIES,
      retriesMax: env.RETRIES_MAX,
      backoffFactor: env.RETRIES_BACKOFF_FACTOR,
      backoffFactorMax: env.RETRIES_BACKOFF_FACTOR_MAX,
      hostsOnly: env.HOSTS_ONLY,
      delayMax: env.DELAY_MAX,
    },
    api: {
      port: env.PORT,
      bindAddress: env.BIND_ADDRESS,
      statusUrl: env.STATUS_URL,
      reservedPrefix: env.RESERVED_PREFIX,
      maxBodySize: env.MAX_BODY_SIZE,
      readTimeoutMs: env.READ_TIMEOUT * 1000,
      writeTimeoutMs: env.WRITE_TIMEOUT * 1000,
      healthcheckIntervalMs: env.HEALTHCHECK_INTERVAL * 1000,
      apiKeys: env.KNOCKER_API_KEYS,
      adminApiKey: env.ADMIN_API_KEY,
      requestLog: { maxLines: env.REQUEST_LOG_MAX_LINES, maxBytes: env.REQUEST_LOG_MAX_BYTES, requiresAdminKey: env.REQUEST_LOG_REQUIRES_ADMIN_KEY },
      shedding: { maxInflight: env.MAX_INFLIGHT, maxEventLoopDelayMs: env.MAX_EVENT_LOOP_DELAY_MS, maxAnswerDelayMs: env.MAX_ANSWER_DELAY_MS },
    },
    worker: {
      concurrency: env.WORKER_CONCURRENCY,
      maxRedirects: env.MAX_REDIRECTS,
      retryAfterMaxMs: (env.RETRY_AFTER_MAX ?? env.RETRIES_BACKOFF_FACTOR_MAX) * 1000,
      successCallbackMaxBody: env.SUCCESS_CALLBACK_MAX_BODY,
      signingKeys: env.SIGNING_SECRETS,
      shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT * 1000,
      stalled: { lockDurationMs: env.LOCK_DURATION_MS, stalledIntervalMs: env.STALLED_INTERVAL_MS, maxStalledCount: env.MAX_STALLED_COUNT },
    },
    network: { blockPrivateNetworks: privateNetworks.blocked, allowedNetworks: env.ALLOWED_NETWORKS, privateNetworks },
    flow: {
      defaults: { concurrency: env.HOST_CONCURRENCY, rate: env.HOST_RATE },
      overrides: hostLimits,
      breaker: { failures: env.BREAKER_FAILURES, cooldownMs: env.BREAKER_COOLDOWN * 1000, cooldownMaxMs: env.BREAKER_COOLDOWN_MAX * 1000 },
    },
    schedules: { max: env.SCHEDULES_MAX },
    health: {
      path: env.HEALTH_PATH,
      detailed: env.HEALTH_DETAILED,
      timeoutMs: env.HEALTH_TIMEOUT_MS,
      cache: { seconds: env.HEALTH_CACHE_SECONDS, mode: env.HEALTH_CACHE_MODE },
      apiKey: env.HEALTH_API_KEY,
      corsOrigin: env.HEALTH_CORS_ORIGIN,
    },
    board: { path: env.BOARD_PATH, user: env.BOARD_USER, password: env.BOARD_PASSWORD },
    metrics: { enabled: env.METRICS_ENABLED, port: env.METRICS_PORT },
    telemetry: {
      log: { file: env.LOG_FILE, level: env.LOG_LEVEL, format: env.LOG_FORMAT },
      sentry: { dsn: env.SENTRY_DSN, failedRequests: env.SENTRY_FAILED_REQUESTS },
    },
  };
}
