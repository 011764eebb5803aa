import type { TracingSettings } from './tracing.js';
import type { EgressSettings } from './egress/settings.js';
import type { PrivateNetworks } from './exposure.js';
import type { FlowSettings } from './flow.js';
import type { ClusterSeeds } from './parse.js';

// The configuration grouped by who reads it, so that each part of the apps is handed the
// groups it uses. Defaults live in the schema alone (schema.ts); units are in the names.

/**
 * REDIS_SENTINELS with its name and password. `username`, `password` and `tls` (from the
 * sentinels' URLs) are the primary's and the replicas'; `sentinelPassword` the sentinels' own.
 */
export interface SentinelSet extends ClusterSeeds {
  name: string;
  sentinelPassword: string;
}

/** The Redis both apps connect to. */
export interface RedisSettings {
  url: string;
  /** Set when REDIS_CLUSTER_NODES is: the queues then live on a Redis Cluster and `url` is not used. */
  cluster: ClusterSeeds | undefined;
  /** Set when REDIS_SENTINELS is: the queues then live on the primary the sentinels name, and `url` is not used. */
  sentinel: SentinelSet | undefined;
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
  /** POST <prefix>/batch: BATCH_MAX requests, BATCH_MAX_BYTES of JSON at most. */
  batch: { maxItems: number; maxBytes: number };
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

/** The QStash door: off while `tokens` is empty. The keys are never logged or answered but by GET /v2/keys to a holder of a token. */
export interface QstashSettings {
  tokens: string[];
  signingKeys: { current: string; next: string };
}

export interface TelemetrySettings {
  log: { file: string; level: 'debug' | 'info' | 'warning' | 'error' | 'critical'; format: string };
  sentry: { dsn: string; failedRequests: boolean };
  /** OTEL_*: undefined unless an OTLP endpoint is set. */
  tracing: TracingSettings | undefined;
}

export interface Config {
  redis: RedisSettings;
  queue: QueueSettings;
  protocol: ProtocolSettings;
  api: ApiSettings;
  worker: WorkerSettings;
  network: NetworkSettings;
  /** EGRESS_PROXY, EGRESS_NO_PROXY, TARGET_TLS and TARGET_AUTH, parsed; undefined when none is set (the workers then connect as always). */
  egress: EgressSettings | undefined;
  /** Per-key limits and the circuit breaker; all off by default. */
  flow: FlowSettings;
  /** `max` 0: schedules are off and Knocker-Cron is refused. */
  schedules: { max: number };
  qstash: QstashSettings;
  health: HealthSettings;
  board: BoardSettings;
  /** When `enabled` is false, nothing is counted for /metrics and the route is not served. */
  metrics: { enabled: boolean; port: number };
  telemetry: TelemetrySettings;
}
