import { z } from 'zod';
import { isNetwork } from '@knocker/netguard';
import type { FlowSettings } from '@knocker/flow';
import type { ProtocolLimits } from '@knocker/protocol';
import { decidePrivateNetworks, type PrivateNetworks } from './exposure.js';
import { seedList, type ClusterSeeds, boolean, booleanOrAuto, duration, hostList, integer, list, oneOf, secretList, seconds, signingSecrets, urlPath } from './parse.js';

/** Tokens of Python's logging format that Knocker's LOG_FORMAT may use. */
export const LOG_FORMAT_TOKENS = ['asctime', 'levelname', 'message', 'process', 'name'] as const;

const logFormat = z.string().refine(
  (v) => v === 'json' || [...v.matchAll(/%\((\w+)\)-?\d*s/g)].every((m) => (LOG_FORMAT_TOKENS as readonly string[]).includes(m[1] ?? '')),
  { message: `expected "json" or a format using only ${LOG_FORMAT_TOKENS.map((t) => `%(${t})s`).join(', ')}` },
);

const redisUrl = z.string().trim().refine((v) => /^rediss?:\/\/[^\s]+$/.test(v) && URL.canParse(v), {
  message: 'expected a redis:// or rediss:// URL',
});

function isSentryDsn(value: string): boolean {
  const url = URL.parse(value);
  return url !== null && /^https?:$/.test(url.protocol) && /^\w+$/.test(url.username) && /\/\d+$/.test(url.pathname);
}

// Every variable with its default. Defaults of Knocker's own variables are Knocker's.
export const schema = z.object({
  SCHEME: oneOf(['https', 'http'] as const).default('https'),
  MAX_REDIRECTS: integer({ min: 0, max: 100 }).default(10),
  STATUS_URL: urlPath().default('/knocker/status'),
  HOSTS_ONLY: hostList().default([]),
  TIMEOUT: seconds({ above: 0 }).default(10),
  TIMEOUT_MAX: seconds({ above: 0 }).default(60),
  RETRIES: integer({ min: 0 }).default(2),
  RETRIES_MAX: integer({ min: 0, max: 1000 }).default(10),
  RETRIES_BACKOFF_FACTOR: seconds({ min: 0 }).default(0.5),
  RETRIES_BACKOFF_FACTOR_MAX: seconds({ min: 0 }).default(600),
  // Unset or empty: RETRIES_BACKOFF_FACTOR_MAX, the cap on Knocker's own waits.
  RETRY_AFTER_MAX: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), seconds({ min: 0 }).optional()),
  LOG_FILE: z.string().trim().min(1).default('-'),
  LOG_LEVEL: oneOf(['debug', 'info', 'warning', 'warn', 'error', 'critical'] as const)
    .transform((v) => (v === 'warn' ? 'warning' : v))
    .default('info'),
  LOG_FORMAT: logFormat.default('%(asctime)s %(levelname)-8s %(message)s'),
  // Checked to the SDK's own rules: given a DSN it cannot read, the SDK prints it, key and all.
  SENTRY_DSN: z.string().trim().refine((v) => v === '' || isSentryDsn(v), { message: 'expected a Sentry DSN (https://<key>@<host>/<project id>) or nothing; value not shown' }).default(''),
  SENTRY_FAILED_REQUESTS: boolean().default(false),

  PORT: integer({ min: 0, max: 65535 }).default(8000),
  BIND_ADDRESS: z.string().trim().min(1).default('0.0.0.0'),
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  // Replaces REDIS_URL; a comma-separated list of some (or all) nodes, from which ioredis learns the rest.
  REDIS_CLUSTER_NODES: seedList().optional(),
  // WAIT for this many replicas to hold a request before answering 2xx: what an acknowledged
  // write needs to survive its master's death, as replication is asynchronous.
  REDIS_WAIT_REPLICAS: integer({ min: 0, max: 16 }).default(0),
  // A hash tag keeps every key of a queue in one Redis Cluster slot.
  QUEUE_PREFIX: z.string().trim().regex(/^[A-Za-z0-9_{}.-]{1,64}$/, 'expected 1 to 64 letters, digits or _{}.-').default('{knocker}'),
  // Each shard is a pair of queues under its own hash tag, so on one Redis Cluster master.
  QUEUE_SHARDS: integer({ min: 1, max: 16 }).default(1),
  // Above this the api answers 503 instead of waiting for Redis: a client must never hang.
  REDIS_TIMEOUT_MS: integer({ min: 50, max: 60000 }).default(1500),
  MAX_BODY_SIZE: integer({ min: 0, max: 256 * 1024 * 1024 }).default(1024 * 1024),
  WORKER_CONCURRENCY: integer({ min: 1, max: 10000 }).default(50),
  SHUTDOWN_TIMEOUT: seconds({ min: 0 }).default(30),
  RETAIN_COMPLETED_COUNT: integer({ min: 0 }).default(1000),
  RETAIN_COMPLETED_AGE: integer({ min: 0 }).default(24 * 3600),
  RETAIN_FAILED_COUNT: integer({ min: 0 }).default(10000),
  RETAIN_FAILED_AGE: integer({ min: 0 }).default(7 * 24 * 3600),

  METRICS_ENABLED: boolean().default(true),
  METRICS_PORT: integer({ min: 1, max: 65535 }).default(8001),
  HEALTH_PATH: urlPath().default('/hc'),
  HEALTH_DETAILED: boolean().default(false),
  HEALTH_TIMEOUT_MS: integer({ min: 1, max: 600000 }).default(2000),
  HEALTH_CACHE_SECONDS: integer({ min: 0 }).default(0),
  HEALTH_CACHE_MODE: oneOf(['header', 'memory', 'header+memory'] as const).default('header'),
  HEALTH_API_KEY: z.string().default(''),
  HEALTH_CORS_ORIGIN: z.string().trim().default(''),
  BOARD_PATH: urlPath().default('/admin/queues'),
  BOARD_USER: z.string().default(''),
  BOARD_PASSWORD: z.string().default(''),
  // of-watchdog's limits: 0 means no limit on concurrent requests.
  MAX_INFLIGHT: integer({ min: 0 }).default(0),
  // While the event loop stays at least this late (a standing queue, CoDel's target), the api
  // is past its capacity: new requests get 503 at once.
  MAX_EVENT_LOOP_DELAY_MS: integer({ min: 0, max: 10_000 }).default(5),
  // While every answer takes at least this long, requests wait in line (for Redis, for the CPU): shed too.
  MAX_ANSWER_DELAY_MS: integer({ min: 0, max: 60_000 }).default(5),
  READ_TIMEOUT: seconds({ above: 0 }).default(10),
  WRITE_TIMEOUT: seconds({ above: 0 }).default(10),
  // How long a stopping api keeps serving with a failing health check, so a load balancer
  // that probes at this interval takes it out of rotation before connections are refused.
  HEALTHCHECK_INTERVAL: seconds({ min: 0 }).default(10),
  // A worker that dies leaves its jobs locked this long; then another worker's stalled
  // check (every STALLED_INTERVAL_MS) takes them over. BullMQ's defaults.
  LOCK_DURATION_MS: integer({ min: 500, max: 3_600_000 }).default(30_000),
  STALLED_INTERVAL_MS: integer({ min: 100, max: 3_600_000 }).default(30_000),
  // How often one delivery may be interrupted by a dying worker before it is given up
  // (and its callback sent) rather than crash yet another worker.
  MAX_STALLED_COUNT: integer({ min: 0, max: 100 }).default(1),

  // auto: blocked when the api listens beyond loopback and needs no api key (exposure.ts).
  BLOCK_PRIVATE_NETWORKS: booleanOrAuto().default('auto'),
  ALLOWED_NETWORKS: list('CIDRs or IP addresses', isNetwork).default([]),
  KNOCKER_API_KEYS: secretList(16).default([]),
  // Empty turns the admin routes off. A short key could be guessed, hence the minimum.
  ADMIN_API_KEY: z.string().trim().refine((v) => v === '' || /^\S{16,512}$/.test(v), {
    message: 'expected nothing, or 16 to 512 characters without spaces',
  }).default(''),
  RESERVED_PREFIX: urlPath().transform((v) => v.replace(/\/+$/, '')).refine((v) => v !== '', { message: 'expected a path other than /' }).default('/knocker'),
  REQUEST_LOG_MAX_LINES: integer({ min: 1, max: 100000 }).default(100),
  REQUEST_LOG_MAX_BYTES: integer({ min: 1, max: 16 * 1024 * 1024 }).default(64 * 1024),
  REQUEST_LOG_REQUIRES_ADMIN_KEY: boolean().default(false),
  // Kept in Redis with the success callback until it is sent, hence a bound.
  SUCCESS_CALLBACK_MAX_BODY: integer({ min: 0, max: 16 * 1024 * 1024 }).default(64 * 1024),
  // Empty: nothing is signed. Several during a rotation: each message carries one signature per secret.
  SIGNING_SECRETS: signingSecrets(24, 64).default([]),
  // BullMQ keeps a delayed job in a sorted set, whatever its time: the bound is for the users'
  // sake (a typo in a unit should not park a request for years), hence a year at most.
  DELAY_MAX: duration({ above: 0, max: 366 * 24 * 3600 }).default(7 * 24 * 3600),

  // Flow control, across every worker; 0 turns a limit off. Per-key overrides are read in
  // load.ts, as they fall back on these two.
  HOST_CONCURRENCY: integer({ min: 0, max: 100_000 }).default(0),
  HOST_RATE: seconds({ min: 0, max: 100_000 }).default(0),
  HOST_LIMITS: z.string().trim().default(''),
  BREAKER_FAILURES: integer({ min: 0, max: 100_000 }).default(0),
  BREAKER_COOLDOWN: seconds({ above: 0, max: 86_400 }).default(30),
  BREAKER_COOLDOWN_MAX: seconds({ above: 0, max: 86_400 }).default(600),
  // Every schedule is a job scheduler in Redis and one delivery per tick: 0 turns Knocker-Cron off.
  SCHEDULES_MAX: integer({ min: 0, max: 1_000_000 }).default(1000),
});

type Env = z.output<typeof schema>;

/** The per-request defaults and bounds are the protocol's limits, passed to it as they are. */
export interface Config extends ProtocolLimits {
  maxRedirects: number;
  /** The longest wait a target's Retry-After may ask for before the next attempt. */
  retryAfterMaxMs: number;
  statusUrl: string;
  log: { file: string; level: 'debug' | 'info' | 'warning' | 'error' | 'critical'; format: string };
  sentry: { dsn: string; failedRequests: boolean };
  port: number;
  bindAddress: string;
  redisUrl: string;
  /** Set when REDIS_CLUSTER_NODES is: the queues then live on a Redis Cluster and REDIS_URL is not used. */
  redisCluster: ClusterSeeds | undefined;
  /** REDIS_WAIT_REPLICAS: 0 answers as soon as the master has the request. */
  waitReplicas: number;
  queuePrefix: string;
  queueShards: number;
  redisTimeoutMs: number;
  maxBodySize: number;
  workerConcurrency: number;
  shutdownTimeoutMs: number;
  retention: {
    completed: { count: number; age: number };
    failed: { count: number; age: number };
  };
  /** When false, nothing is counted for /metrics and the route is not served. */
  metricsEnabled: boolean;
  metricsPort: number;
  health: {
    path: string;
    detailed: boolean;
    timeoutMs: number;
    cache: { seconds: number; mode: 'header' | 'memory' | 'header+memory' };
    apiKey: string;
    corsOrigin: string;
  };
  /** Bull Board; mounted only when both credentials are set. */
  board: { path: string; user: string; password: string };
  maxInflight: number;
  /** MAX_EVENT_LOOP_DELAY_MS; 0 turns the guard off. */
  maxEventLoopDelayMs: number;
  /** MAX_ANSWER_DELAY_MS; 0 turns the guard off. */
  maxAnswerDelayMs: number;
  readTimeoutMs: number;
  writeTimeoutMs: number;
  healthcheckIntervalMs: number;
  stalled: { lockDurationMs: number; stalledIntervalMs: number; maxStalledCount: number };
  network: { blockPrivateNetworks: boolean; allowedNetworks: string[] };
  /** How BLOCK_PRIVATE_NETWORKS was resolved into `network.blockPrivateNetworks`, and the line to log about it. */
  privateNetworks: PrivateNetworks;
  /** Empty: relaying needs no key. */
  apiKeys: string[];
  /** Empty when the admin routes are off. */
  adminApiKey: string;
  /** Path prefix of Knocker's own routes (inspection, replay, cancel, log lines); never relayed. */
  reservedPrefix: string;
  requestLog: { maxLines: number; maxBytes: number; requiresAdminKey: boolean };
  /** Bytes of a delivered answer's body a success callback carries. */
  successCallbackMaxBody: number;
  /** The decoded SIGNING_SECRETS; empty when messages are not signed. Never logged or stored. */
  signingKeys: Buffer[];
  /** DELAY_MAX in seconds (the protocol limit). */
  delayMax: number;
  /** Per-key limits and the circuit breaker; all off by default. */
  flow: FlowSettings;
  /** 0: schedules are off and Knocker-Cron is refused. */
  schedulesMax: number;
}

export function toConfig(env: Env, hostLimits: FlowSettings['overrides'] = new Map()): Config {
  const privateNetworks = decidePrivateNetworks(env.BLOCK_PRIVATE_NETWORKS, env.BIND_ADDRESS, env.KNOCKER_API_KEYS);
  return {
    scheme: env.SCHEME,
    maxRedirects: env.MAX_REDIRECTS,
    retryAfterMaxMs: (env.RETRY_AFTER_MAX ?? env.RETRIES_BACKOFF_FACTOR_MAX) * 1000,
    statusUrl: env.STATUS_URL,
    hostsOnly: env.HOSTS_ONLY,
    timeout: env.TIMEOUT,
    timeoutMax: env.TIMEOUT_MAX,
    retries: env.RETRIES,
    retriesMax: env.RETRIES_MAX,
    backoffFactor: env.RETRIES_BACKOFF_FACTOR,
    backoffFactorMax: env.RETRIES_BACKOFF_FACTOR_MAX,
    log: { file: env.LOG_FILE, level: env.LOG_LEVEL, format: env.LOG_FORMAT },
    sentry: { dsn: env.SENTRY_DSN, failedRequests: env.SENTRY_FAILED_REQUESTS },
    port: env.PORT,
    bindAddress: env.BIND_ADDRESS,
    redisUrl: env.REDIS_URL,
    redisCluster: env.REDIS_CLUSTER_NODES,
    waitReplicas: env.REDIS_WAIT_REPLICAS,
    queuePrefix: env.QUEUE_PREFIX,
    queueShards: env.QUEUE_SHARDS,
    redisTimeoutMs: env.REDIS_TIMEOUT_MS,
    maxBodySize: env.MAX_BODY_SIZE,
    workerConcurrency: env.WORKER_CONCURRENCY,
    shutdownTimeoutMs: env.SHUTDOWN_TIMEOUT * 1000,
    retention: {
      completed: { count: env.RETAIN_COMPLETED_COUNT, age: env.RETAIN_COMPLETED_AGE },
      failed: { count: env.RETAIN_FAILED_COUNT, age: env.RETAIN_FAILED_AGE },
    },
    metricsEnabled: env.METRICS_ENABLED,
    metricsPort: env.METRICS_PORT,
    health: {
      path: env.HEALTH_PATH,
      detailed: env.HEALTH_DETAILED,
      timeoutMs: env.HEALTH_TIMEOUT_MS,
      cache: { seconds: env.HEALTH_CACHE_SECONDS, mode: env.HEALTH_CACHE_MODE },
      apiKey: env.HEALTH_API_KEY,
      corsOrigin: env.HEALTH_CORS_ORIGIN,
    },
    board: { path: env.BOARD_PATH, user: env.BOARD_USER, password: env.BOARD_PASSWORD },
    maxInflight: env.MAX_INFLIGHT,
    maxEventLoopDelayMs: env.MAX_EVENT_LOOP_DELAY_MS,
    maxAnswerDelayMs: env.MAX_ANSWER_DELAY_MS,
    readTimeoutMs: env.READ_TIMEOUT * 1000,
    writeTimeoutMs: env.WRITE_TIMEOUT * 1000,
    healthcheckIntervalMs: env.HEALTHCHECK_INTERVAL * 1000,
    stalled: { lockDurationMs: env.LOCK_DURATION_MS, stalledIntervalMs: env.STALLED_INTERVAL_MS, maxStalledCount: env.MAX_STALLED_COUNT },
    network: { blockPrivateNetworks: privateNetworks.blocked, allowedNetworks: env.ALLOWED_NETWORKS },
    privateNetworks,
    apiKeys: env.KNOCKER_API_KEYS,
    adminApiKey: env.ADMIN_API_KEY,
    reservedPrefix: env.RESERVED_PREFIX,
    requestLog: { maxLines: env.REQUEST_LOG_MAX_LINES, maxBytes: env.REQUEST_LOG_MAX_BYTES, requiresAdminKey: env.REQUEST_LOG_REQUIRES_ADMIN_KEY },
    successCallbackMaxBody: env.SUCCESS_CALLBACK_MAX_BODY,
    signingKeys: env.SIGNING_SECRETS,
    delayMax: env.DELAY_MAX,
    flow: {
      defaults: { concurrency: env.HOST_CONCURRENCY, rate: env.HOST_RATE },
      overrides: hostLimits,
      breaker: { failures: env.BREAKER_FAILURES, cooldownMs: env.BREAKER_COOLDOWN * 1000, cooldownMaxMs: env.BREAKER_COOLDOWN_MAX * 1000 },
    },
    schedulesMax: env.SCHEDULES_MAX,
  };
}
