import type { Config, SentinelSet } from './config.js';
import { decidePrivateNetworks } from './exposure.js';
import type { EgressSettings } from './egress/settings.js';
import type { FlowSettings } from './flow.js';
import type { Env } from './schema.js';
import { tracingSettings } from './tracing.js';

/** The parsed environment, grouped by reader; durations the schema reads in seconds become ms here. */
export function toConfig(env: Env, hostLimits: FlowSettings['overrides'] = new Map(), egress?: EgressSettings): Config {
  const privateNetworks = decidePrivateNetworks(env.BLOCK_PRIVATE_NETWORKS, env.BIND_ADDRESS, env.KNOCKER_API_KEYS);
  return {
    redis: { url: env.REDIS_URL, cluster: env.REDIS_CLUSTER_NODES, sentinel: sentinelSet(env), waitReplicas: env.REDIS_WAIT_REPLICAS, timeoutMs: env.REDIS_TIMEOUT_MS },
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
      batch: { maxItems: env.BATCH_MAX, maxBytes: env.BATCH_MAX_BYTES },
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
    egress,
    flow: {
      defaults: { concurrency: env.HOST_CONCURRENCY, rate: env.HOST_RATE },
      overrides: hostLimits,
      breaker: { failures: env.BREAKER_FAILURES, cooldownMs: env.BREAKER_COOLDOWN * 1000, cooldownMaxMs: env.BREAKER_COOLDOWN_MAX * 1000 },
    },
    schedules: { max: env.SCHEDULES_MAX },
    qstash: { tokens: env.QSTASH_TOKENS, signingKeys: { current: env.QSTASH_CURRENT_SIGNING_KEY, next: env.QSTASH_NEXT_SIGNING_KEY } },
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
      tracing: tracingSettings(env),
    },
  };
}

function sentinelSet(env: Env): SentinelSet | undefined {
  const { REDIS_SENTINELS: seeds, REDIS_SENTINEL_NAME: name } = env;
  return seeds && name !== undefined ? { ...seeds, name, sentinelPassword: env.REDIS_SENTINEL_PASSWORD } : undefined;
}
