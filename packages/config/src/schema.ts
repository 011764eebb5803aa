import { z } from 'zod';
import { isNetwork } from './networks.js';
import { tracingSchema } from './tracing.js';
import { seedList, boolean, booleanOrAuto, duration, hostList, integer, list, oneOf, secretList, seconds, signingSecrets, urlPath } from './parse.js';

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

// A QStash signing key as its users hold it (`sig_…`); its UTF-8 bytes are the HMAC key.
const signingKey = z.string().trim().refine((v) => v === '' || (v.length >= 16 && v.length <= 256 && /^[\x21-\x7e]+$/.test(v)), {
  message: 'expected 16 to 256 visible ASCII characters, such as sig_… (value not shown)',
});

// Every variable with its default, the only place a default is written, grouped as `Config`
// groups them (config.ts): by who reads them. Defaults of Knocker's own variables are Knocker's.
export const schema = z.object({
  // redis: the connection both apps open.
  REDIS_URL: redisUrl.default('redis://127.0.0.1:6379'),
  // Replaces REDIS_URL; a comma-separated list of some (or all) nodes, from which ioredis learns the rest.
  REDIS_CLUSTER_NODES: seedList().optional(),
  // Replaces REDIS_URL as well: sentinels that tell where the primary named REDIS_SENTINEL_NAME
  // is now. Their URLs' credentials and TLS are the primary's and replicas'; the sentinels' own
  // password is REDIS_SENTINEL_PASSWORD. An empty name or password counts as unset.
  REDIS_SENTINELS: seedList('sentinels').optional(),
  REDIS_SENTINEL_NAME: z.string().trim().regex(/^[\x21-\x7e]{1,128}$/, 'expected 1 to 128 visible ASCII characters').optional(),
  REDIS_SENTINEL_PASSWORD: z.string().max(512, 'expected at most 512 characters').default(''),
  // WAIT for this many replicas to hold a request before answering 2xx: what an acknowledged
  // write needs to survive its master's death, as replication is asynchronous.
  REDIS_WAIT_REPLICAS: integer({ min: 0, max: 16 }).default(0),
  // Above this the api answers 503 instead of waiting for Redis: a client must never hang.
  REDIS_TIMEOUT_MS: integer({ min: 50, max: 60000 }).default(1500),

  // queue: where requests are stored, and for how long once finished.
  // A hash tag keeps every key of a queue in one Redis Cluster slot.
  QUEUE_PREFIX: z.string().trim().regex(/^[A-Za-z0-9_{}.-]{1,64}$/, 'expected 1 to 64 letters, digits or _{}.-').default('{knocker}'),
  // Each shard is a pair of queues under its own hash tag, so on one Redis Cluster master.
  QUEUE_SHARDS: integer({ min: 1, max: 16 }).default(1),
  RETAIN_COMPLETED_COUNT: integer({ min: 0 }).default(1000),
  RETAIN_COMPLETED_AGE: integer({ min: 0 }).default(24 * 3600),
  RETAIN_FAILED_COUNT: integer({ min: 0 }).default(10000),
  RETAIN_FAILED_AGE: integer({ min: 0 }).default(7 * 24 * 3600),

  // protocol: the per-request headers' defaults and bounds.
  SCHEME: oneOf(['https', 'http'] as const).default('https'),
  HOSTS_ONLY: hostList().default([]),
  TIMEOUT: seconds({ above: 0 }).default(10),
  TIMEOUT_MAX: seconds({ above: 0 }).default(60),
  RETRIES: integer({ min: 0 }).default(2),
  RETRIES_MAX: integer({ min: 0, max: 1000 }).default(10),
  RETRIES_BACKOFF_FACTOR: seconds({ min: 0 }).default(0.5),
  RETRIES_BACKOFF_FACTOR_MAX: seconds({ min: 0 }).default(600),
  // BullMQ keeps a delayed job in a sorted set, whatever its time: the bound is for the users'
  // sake (a typo in a unit should not park a request for years), hence a year at most.
  DELAY_MAX: duration({ above: 0, max: 366 * 24 * 3600 }).default(7 * 24 * 3600),

  // api: its door, its own routes and its load shedding.
  PORT: integer({ min: 0, max: 65535 }).default(8000),
  BIND_ADDRESS: z.string().trim().min(1).default('0.0.0.0'),
  STATUS_URL: urlPath().default('/knocker/status'),
  MAX_BODY_SIZE: integer({ min: 0, max: 256 * 1024 * 1024 }).default(1024 * 1024),
  // POST <prefix>/batch: requests per call, and bytes of the whole JSON array (each body still
  // within MAX_BODY_SIZE), so a batch is parsed and held within a bound.
  BATCH_MAX: integer({ min: 1, max: 10000 }).default(100),
  BATCH_MAX_BYTES: integer({ min: 1024, max: 256 * 1024 * 1024 }).default(10 * 1024 * 1024),
  READ_TIMEOUT: seconds({ above: 0 }).default(10),
  WRITE_TIMEOUT: seconds({ above: 0 }).default(10),
  // How long a stopping api keeps serving with a failing health check, so a load balancer
  // that probes at this interval takes it out of rotation before connections are refused.
  HEALTHCHECK_INTERVAL: seconds({ min: 0 }).default(10),
  KNOCKER_API_KEYS: secretList(16).default([]),
  // Empty turns the admin routes off. A short key could be guessed, hence the minimum.
  ADMIN_API_KEY: z.string().trim().refine((v) => v === '' || /^\S{16,512}$/.test(v), {
    message: 'expected nothing, or 16 to 512 characters without spaces',
  }).default(''),
  RESERVED_PREFIX: urlPath().transform((v) => v.replace(/\/+$/, '')).refine((v) => v !== '', { message: 'expected a path other than /' }).default('/knocker'),
  REQUEST_LOG_MAX_LINES: integer({ min: 1, max: 100000 }).default(100),
  REQUEST_LOG_MAX_BYTES: integer({ min: 1, max: 16 * 1024 * 1024 }).default(64 * 1024),
  REQUEST_LOG_REQUIRES_ADMIN_KEY: boolean().default(false),
  // of-watchdog's limits: 0 means no limit on concurrent requests.
  MAX_INFLIGHT: integer({ min: 0 }).default(0),
  // While the event loop stays at least this late (a standing queue, CoDel's target), the api
  // is past its capacity: new requests get 503 at once.
  MAX_EVENT_LOOP_DELAY_MS: integer({ min: 0, max: 10_000 }).default(5),
  // While every answer takes at least this long, requests wait in line (for Redis, for the CPU): shed too.
  MAX_ANSWER_DELAY_MS: integer({ min: 0, max: 60_000 }).default(5),

  // worker: how deliveries are made.
  WORKER_CONCURRENCY: integer({ min: 1, max: 10000 }).default(50),
  MAX_REDIRECTS: integer({ min: 0, max: 100 }).default(10),
  // Unset or empty: RETRIES_BACKOFF_FACTOR_MAX, the cap on Knocker's own waits.
  RETRY_AFTER_MAX: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), seconds({ min: 0 }).optional()),
  // Kept in Redis with the success callback until it is sent, hence a bound.
  SUCCESS_CALLBACK_MAX_BODY: integer({ min: 0, max: 16 * 1024 * 1024 }).default(64 * 1024),
  // Empty: nothing is signed. Several during a rotation: each message carries one signature per secret.
  SIGNING_SECRETS: signingSecrets(24, 64).default([]),
  SHUTDOWN_TIMEOUT: seconds({ min: 0 }).default(30),
  // A worker that dies leaves its jobs locked this long; then another worker's stalled
  // check (every STALLED_INTERVAL_MS) takes them over. BullMQ's defaults.
  LOCK_DURATION_MS: integer({ min: 500, max: 3_600_000 }).default(30_000),
  STALLED_INTERVAL_MS: integer({ min: 100, max: 3_600_000 }).default(30_000),
  // How often one delivery may be interrupted by a dying worker before it is given up
  // (and its callback sent) rather than crash yet another worker.
  MAX_STALLED_COUNT: integer({ min: 0, max: 100 }).default(1),

  // network: the address policy both apps apply.
  // auto: blocked when the api listens beyond loopback and needs no api key (exposure.ts).
  BLOCK_PRIVATE_NETWORKS: booleanOrAuto().default('auto'),
  ALLOWED_NETWORKS: list('CIDRs or IP addresses', isNetwork).default([]),

  // egress: how the workers reach targets (a proxy, per-target TLS, tokens); each is read in
  // load.ts by its own parser (egress/), as their entries are lists of settings.
  EGRESS_PROXY: z.string().trim().default(''),
  EGRESS_NO_PROXY: z.string().trim().default(''),
  TARGET_TLS: z.string().trim().default(''),
  TARGET_AUTH: z.string().trim().default(''),

  // flow: limits across every worker; 0 turns a limit off. Per-key overrides are read in
  // load.ts, as they fall back on these two.
  HOST_CONCURRENCY: integer({ min: 0, max: 100_000 }).default(0),
  HOST_RATE: seconds({ min: 0, max: 100_000 }).default(0),
  HOST_LIMITS: z.string().trim().default(''),
  BREAKER_FAILURES: integer({ min: 0, max: 100_000 }).default(0),
  BREAKER_COOLDOWN: seconds({ above: 0, max: 86_400 }).default(30),
  BREAKER_COOLDOWN_MAX: seconds({ above: 0, max: 86_400 }).default(600),

  // schedules: every schedule is a job scheduler in Redis and one delivery per tick: 0 turns Knocker-Cron off.
  SCHEDULES_MAX: integer({ min: 0, max: 1_000_000 }).default(1000),

  // qstash: the QStash door of the api and the way workers sign its messages. Empty tokens: the door is off.
  QSTASH_TOKENS: secretList(16).default([]),
  // The names QStash users already hold; the Receiver needs both, so both are required with tokens.
  QSTASH_CURRENT_SIGNING_KEY: signingKey.default(''),
  QSTASH_NEXT_SIGNING_KEY: signingKey.default(''),

  // health: the BeatPulse routes of both apps.
  HEALTH_PATH: urlPath().default('/hc'),
  HEALTH_DETAILED: boolean().default(false),
  HEALTH_TIMEOUT_MS: integer({ min: 1, max: 600000 }).default(2000),
  HEALTH_CACHE_SECONDS: integer({ min: 0 }).default(0),
  HEALTH_CACHE_MODE: oneOf(['header', 'memory', 'header+memory'] as const).default('header'),
  HEALTH_API_KEY: z.string().default(''),
  HEALTH_CORS_ORIGIN: z.string().trim().default(''),

  // board: Bull Board on the api.
  BOARD_PATH: urlPath().default('/admin/queues'),
  BOARD_USER: z.string().default(''),
  BOARD_PASSWORD: z.string().default(''),

  // metrics: Prometheus, on the api's port and on the workers' METRICS_PORT.
  METRICS_ENABLED: boolean().default(true),
  METRICS_PORT: integer({ min: 1, max: 65535 }).default(8001),

  // telemetry: logs and Sentry.
  LOG_FILE: z.string().trim().min(1).default('-'),
  LOG_LEVEL: oneOf(['debug', 'info', 'warning', 'warn', 'error', 'critical'] as const)
    .transform((v) => (v === 'warn' ? 'warning' : v))
    .default('info'),
  LOG_FORMAT: logFormat.default('%(asctime)s %(levelname)-8s %(message)s'),
  // Checked to the SDK's own rules: given a DSN it cannot read, the SDK prints it, key and all.
  SENTRY_DSN: z.string().trim().refine((v) => v === '' || isSentryDsn(v), { message: 'expected a Sentry DSN (https://<key>@<host>/<project id>) or nothing; value not shown' }).default(''),
  SENTRY_FAILED_REQUESTS: boolean().default(false),
  ...tracingSchema,
});

export type Env = z.output<typeof schema>;
