import type { Config } from './config.js';
import { readEgressSettings } from './egress/settings.js';
import { parseHostLimits } from './flow.js';
import { redisModeProblems } from './redis-mode.js';
import { routeProblems } from './routes.js';
import { schema } from './schema.js';
import { toConfig } from './to-config.js';

/** A bad environment: the message names every variable that was refused. */
export class ConfigError extends Error {
  readonly code = 'invalid_config';
  constructor(readonly problems: Readonly<Record<string, string>>) {
    super(`Invalid configuration: ${Object.entries(problems).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
    this.name = 'ConfigError';
  }
}

const EMPTY_IS_UNSET = new Set(['REDIS_URL', 'REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD']);

// Pairs whose default must stay within the allowed maximum.
const BOUNDED = [
  ['TIMEOUT', 'TIMEOUT_MAX'],
  ['RETRIES', 'RETRIES_MAX'],
  ['RETRIES_BACKOFF_FACTOR', 'RETRIES_BACKOFF_FACTOR_MAX'],
] as const;

/** Parses the environment once, at start-up. Nothing else reads process.env. */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  // An empty REDIS_URL counts as unset, so that a compose override can clear it for
  // REDIS_CLUSTER_NODES or REDIS_SENTINELS; so do the sentinel settings, which .env.example lists empty.
  const unset = (k: string) => env[k] === undefined || (EMPTY_IS_UNSET.has(k) && env[k]?.trim() === '');
  const known = Object.fromEntries(Object.keys(schema.shape).flatMap((k) => (unset(k) ? [] : [[k, env[k]]])));
  const parsed = schema.safeParse(known);
  if (!parsed.success) {
    const problems: Record<string, string> = {};
    for (const issue of parsed.error.issues) problems[String(issue.path[0])] ??= issue.message;
    throw new ConfigError(problems);
  }
  const problems: Record<string, string> = {};
  for (const [value, max] of BOUNDED) {
    if (parsed.data[value] > parsed.data[max]) problems[value] = `must not exceed ${max} (${parsed.data[value]} > ${parsed.data[max]})`;
  }
  if ((parsed.data.BOARD_USER === '') !== (parsed.data.BOARD_PASSWORD === '')) {
    problems[parsed.data.BOARD_USER === '' ? 'BOARD_USER' : 'BOARD_PASSWORD'] = 'must be set together with the other Bull Board credential';
  }
  if (parsed.data.REQUEST_LOG_REQUIRES_ADMIN_KEY && parsed.data.ADMIN_API_KEY === '') {
    problems['REQUEST_LOG_REQUIRES_ADMIN_KEY'] = 'needs ADMIN_API_KEY: without it no target could add a log line';
  }
  if (parsed.data.QSTASH_TOKENS.length > 0) {
    // The SDK's Receiver refuses to start without both.
    for (const name of ['QSTASH_CURRENT_SIGNING_KEY', 'QSTASH_NEXT_SIGNING_KEY'] as const) {
      if (parsed.data[name] === '') problems[name] = 'is required with QSTASH_TOKENS: receivers verify with both keys';
    }
  }
  const { HOST_CONCURRENCY: concurrency, HOST_RATE: rate } = parsed.data;
  const hostLimits = parseHostLimits(parsed.data.HOST_LIMITS, { concurrency, rate });
  if (typeof hostLimits === 'string') problems['HOST_LIMITS'] = hostLimits;
  if (parsed.data.BREAKER_COOLDOWN > parsed.data.BREAKER_COOLDOWN_MAX) {
    problems['BREAKER_COOLDOWN'] = `must not exceed BREAKER_COOLDOWN_MAX (${parsed.data.BREAKER_COOLDOWN} > ${parsed.data.BREAKER_COOLDOWN_MAX})`;
  }
  Object.assign(problems, redisModeProblems(known, parsed.data));
  if (parsed.data.REDIS_CLUSTER_NODES !== undefined) {
    // Without a hash tag a queue's keys scatter over slots, and its scripts fail with CROSSSLOT.
    if (!/\{[^}]+\}/.test(parsed.data.QUEUE_PREFIX)) problems['QUEUE_PREFIX'] = 'needs a {hash tag} on a Redis Cluster (REDIS_CLUSTER_NODES), such as {knocker}';
  }
  const d = parsed.data;
  const egress = readEgressSettings({ EGRESS_PROXY: d.EGRESS_PROXY, EGRESS_NO_PROXY: d.EGRESS_NO_PROXY, TARGET_TLS: d.TARGET_TLS, TARGET_AUTH: d.TARGET_AUTH });
  for (const [name, problem] of Object.entries(egress.problems ?? {})) problems[name] = /^expected/.test(problem) ? problem : `expected the form docs/egress.md gives; ${problem}`;
  const paths = { HEALTH_PATH: d.HEALTH_PATH, BOARD_PATH: d.BOARD_PATH, STATUS_URL: d.STATUS_URL, RESERVED_PREFIX: d.RESERVED_PREFIX, metricsEnabled: d.METRICS_ENABLED };
  for (const [name, problem] of Object.entries(routeProblems(paths, new Set(Object.keys(known))))) problems[name] ??= problem;
  if (Object.keys(problems).length > 0 || typeof hostLimits === 'string') throw new ConfigError(problems);
  return toConfig(parsed.data, hostLimits, egress.settings);
}
