export { loadConfig, ConfigError } from './load.js';
export type {
  Config, RedisSettings, SentinelSet, QueueSettings, Retention, ProtocolSettings, ApiSettings, SheddingSettings, WorkerSettings, StalledSettings,
  NetworkSettings, HealthSettings, BoardSettings, TelemetrySettings, QstashSettings,
} from './config.js';
export { LOG_FORMAT_TOKENS } from './schema.js';
export type { ClusterSeeds } from './parse.js';
export { isLoopbackAddress } from './exposure.js';
export type { PrivateNetworks } from './exposure.js';
export { redactUrl } from './redact.js';
export { parseDuration } from './duration.js';
export { isNetwork } from './networks.js';
export { checkFlowKey, parseHostLimits } from './flow.js';
export type { FlowSettings, KeyLimits, BreakerSettings } from './flow.js';
export * from './egress/index.js';
export { TRACE_SAMPLERS } from './tracing.js';
export type { TracingSettings, TraceSampler } from './tracing.js';
