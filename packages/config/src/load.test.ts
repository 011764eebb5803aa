import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './index.js';
import { schema } from './schema.js';

const key = (bytes: number) => Buffer.alloc(bytes, 7).toString('base64');
const KEY_23 = key(23);
const KEY_24 = key(24);
const KEY_65 = key(65);

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return { ...err.problems };
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('reads a Redis Cluster from seed nodes, which replace REDIS_URL', () => {
    expect(loadConfig({}).redis.cluster).toBeUndefined();
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-2:7001' }).redis.cluster)
      .toEqual({ nodes: [{ host: '10.0.0.1', port: 7000 }, { host: 'redis-2', port: 7001 }], username: '', password: '', tls: false });
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'rediss://app:p%40ss@a:7000,a:7001' }).redis.cluster)
      .toEqual({ nodes: [{ host: 'a', port: 7000 }, { host: 'a', port: 7001 }], username: 'app', password: 'p@ss', tls: true });
    const both = problemsOf({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_URL: 'redis://b:6379' });
    expect(both['REDIS_CLUSTER_NODES']).toMatch(/REDIS_URL/);
    expect(problemsOf({ REDIS_CLUSTER_NODES: 'a:7000', QUEUE_PREFIX: 'knocker' })['QUEUE_PREFIX']).toMatch(/hash tag/);
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'a:7000', REDIS_URL: '' }).redis.cluster?.nodes).toHaveLength(1);
    expect(JSON.stringify(problemsOf({ REDIS_CLUSTER_NODES: 'redis://:secret@a:1,redis://:other@b:2' }))).not.toMatch(/secret|other/);
  });

  it('reads a Sentinel set, alone: REDIS_URL counts as set only when given', () => {
    const env = { REDIS_SENTINELS: 'rediss://app:p%40ss@s1:26379, s2:26379', REDIS_SENTINEL_NAME: 'main', REDIS_SENTINEL_PASSWORD: 'sentinel secret' };
    expect(loadConfig(env).redis.sentinel).toEqual({
      nodes: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }], username: 'app', password: 'p@ss', tls: true, name: 'main', sentinelPassword: 'sentinel secret',
    });
    expect(loadConfig({ ...env, REDIS_URL: ' ', REDIS_CLUSTER_NODES: '' }).redis.sentinel?.name).toBe('main');
    expect(loadConfig({}).redis.sentinel).toBeUndefined();
    expect(problemsOf({ ...env, REDIS_URL: 'redis://b:6379' })['REDIS_SENTINELS']).toMatch(/replaces REDIS_URL: set one of/);
    expect(problemsOf({ ...env, REDIS_URL: 'redis://b:6379', REDIS_CLUSTER_NODES: 'c:7000' })['REDIS_SENTINELS']).toMatch(/replaces REDIS_URL and REDIS_CLUSTER_NODES/);
    expect(problemsOf({ REDIS_SENTINELS: 's1:26379' })['REDIS_SENTINEL_NAME']).toMatch(/must be set with REDIS_SENTINELS/);
    expect(problemsOf({ REDIS_SENTINELS: 's1:26379', REDIS_SENTINEL_NAME: '' })['REDIS_SENTINEL_NAME']).toMatch(/must be set/);
    expect(problemsOf({ REDIS_SENTINEL_NAME: 'main', REDIS_SENTINEL_PASSWORD: 'x' })).toEqual({
      REDIS_SENTINEL_NAME: expect.stringMatching(/only with REDIS_SENTINELS/), REDIS_SENTINEL_PASSWORD: expect.stringMatching(/only with REDIS_SENTINELS/),
    });
    expect(problemsOf({ REDIS_SENTINELS: 's1', REDIS_SENTINEL_NAME: 'main' })['REDIS_SENTINELS']).toMatch(/host:port sentinels/);
    expect(problemsOf({ REDIS_SENTINELS: 's1:1', REDIS_SENTINEL_NAME: 'a name' })['REDIS_SENTINEL_NAME']).toMatch(/visible ASCII/);
    // Neither password is ever repeated in a message.
    const refused = problemsOf({ REDIS_SENTINELS: 'redis://:secret@a:1,redis://:other@b:2', REDIS_SENTINEL_PASSWORD: 'sentinel-secret', REDIS_URL: 'redis://c:1' });
    expect(JSON.stringify(refused)).not.toMatch(/secret|other/);
  });

  it("uses Knocker's defaults", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      protocol: { scheme: 'https', hostsOnly: [], timeout: 10, timeoutMax: 60, retries: 2, retriesMax: 10, backoffFactor: 0.5, backoffFactorMax: 600 },
      worker: { maxRedirects: 10 }, api: { statusUrl: '/knocker/status', port: 8000, maxBodySize: 1048576 },
      redis: { url: 'redis://127.0.0.1:6379' },
      telemetry: {
        log: { file: '-', level: 'info', format: '%(asctime)s %(levelname)-8s %(message)s' },
        sentry: { dsn: '', failedRequests: false },
      },
    });
  });

  it('parses HOSTS_ONLY as a JSON list or a comma-separated list', () => {
    expect(loadConfig({ HOSTS_ONLY: '["A.example", "b.example:8080"]' }).protocol.hostsOnly).toEqual(['a.example', 'b.example:8080']);
    expect(loadConfig({ HOSTS_ONLY: 'a.example, b.example' }).protocol.hostsOnly).toEqual(['a.example', 'b.example']);
    expect(problemsOf({ HOSTS_ONLY: '[1, 2]' })).toHaveProperty('HOSTS_ONLY');
    expect(problemsOf({ HOSTS_ONLY: '[not json' })).toHaveProperty('HOSTS_ONLY');
  });

  it.each([
    ['TIMEOUT', 'abc'], ['TIMEOUT', '0'], ['TIMEOUT', '-1'], ['TIMEOUT', 'NaN'], ['TIMEOUT', 'Infinity'],
    ['RETRIES', '1.5'], ['RETRIES', '-1'], ['RETRIES', '1e3'], ['PORT', '70000'], ['SCHEME', 'ftp'],
    ['SENTRY_FAILED_REQUESTS', 'maybe'], ['REDIS_URL', 'http://x'], ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', '%(asctime)s %(funcName)s'], ['STATUS_URL', 'status'], ['QUEUE_PREFIX', 'a:b'],
    ['MAX_BODY_SIZE', '-5'], ['WORKER_CONCURRENCY', '0'], ['METRICS_PORT', '0'], ['HEALTH_PATH', 'hc'], ['HEALTH_DETAILED', 'sometimes'],
    ['HEALTH_TIMEOUT_MS', '0'], ['HEALTH_CACHE_SECONDS', '-1'], ['HEALTH_CACHE_MODE', 'disk'], ['BOARD_PATH', 'admin'],
    ['MAX_INFLIGHT', '-1'], ['READ_TIMEOUT', '0'], ['WRITE_TIMEOUT', 'x'], ['HEALTHCHECK_INTERVAL', '-2'],
    ['ADMIN_API_KEY', 'short'], ['ADMIN_API_KEY', 'has a space in the middle'], ['RESERVED_PREFIX', '/'], ['RESERVED_PREFIX', '//'], ['RESERVED_PREFIX', 'knocker'],
    ['REQUEST_LOG_MAX_LINES', '0'], ['REQUEST_LOG_MAX_BYTES', 'lots'],
  ])('refuses %s=%s and names the variable', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(Object.keys(problems)).toEqual([name]);
    expect(problems[name]).toMatch(/expected/);
  });

  // One or more bad values for every variable: a variable added to the schema without a row
  // here fails the first test.
  const BAD: Record<string, string[]> = {
    SCHEME: ['ftp', ''], MAX_REDIRECTS: ['-1', '101', 'ten'], HOSTS_ONLY: ['[1]', '["a", 2]', '[oops'],
    TIMEOUT: ['0', '-1', 'NaN', 'Infinity', '1e3', ''], TIMEOUT_MAX: ['0', 'abc'], RETRIES: ['1.5', '-1', '1e3'], RETRIES_MAX: ['1001', '-2'],
    RETRIES_BACKOFF_FACTOR: ['-0.5', 'x'], RETRIES_BACKOFF_FACTOR_MAX: ['-1', '0x10'], LOG_FILE: ['', '   '], LOG_LEVEL: ['loud', '10'],
    LOG_FORMAT: ['%(funcName)s', '%(asctime)s %(lineno)d %(x)s'], SENTRY_DSN: ['not a url', 'https://bad-key@sentry.example/42', 'https://key@sentry.example/project', 'ftp://key@sentry.example/1'], SENTRY_FAILED_REQUESTS: ['maybe', '2'],
    OTEL_EXPORTER_OTLP_ENDPOINT: ['collector:4318', 'grpc://c:4317'], OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: ['/v1/traces'], OTEL_EXPORTER_OTLP_PROTOCOL: ['grpc', 'http'],
    OTEL_EXPORTER_OTLP_HEADERS: ['a', '=b', 'a=%zz'], OTEL_SERVICE_NAME: ['x'.repeat(256)], OTEL_TRACES_SAMPLER: ['sometimes', 'xray'], OTEL_TRACES_SAMPLER_ARG: ['-0.1', '2', 'half'],
    OTEL_BSP_SCHEDULE_DELAY: ['0', 'soon'],
    PORT: ['70000', '-1', '80a'], BIND_ADDRESS: ['', ' '], REDIS_URL: ['http://x', 'redis://a b', 'localhost:6379'],
    QUEUE_PREFIX: ['a:b', '', 'x'.repeat(65)], QUEUE_SHARDS: ['0', '17', 'two'], REDIS_CLUSTER_NODES: ['localhost', 'a:1,b', 'h:0', 'h:65536', 'http://h:1', 'redis://h:1/2', 'redis://:x@h:1,redis://:y@h:2'], REDIS_SENTINELS: ['localhost', 'a:1,b', 'h:0', 'redis://h:1/2', 'redis://:x@h:1,redis://:y@h:2'], REDIS_SENTINEL_NAME: ['a b', 'x'.repeat(129)], REDIS_SENTINEL_PASSWORD: ['x'.repeat(513)], REDIS_WAIT_REPLICAS: ['-1', '17', 'all'], REDIS_TIMEOUT_MS: ['49', '60001', '1s'], MAX_BODY_SIZE: ['-5', `${256 * 1024 * 1024 + 1}`], BATCH_MAX: ['0', '10001', 'many'], BATCH_MAX_BYTES: ['1023', '10MB'],
    WORKER_CONCURRENCY: ['0', '10001', 'lots'], SHUTDOWN_TIMEOUT: ['-1', 'soon'], RETAIN_COMPLETED_COUNT: ['-1', 'all'],
    RETAIN_COMPLETED_AGE: ['1.5', 'day'], RETAIN_FAILED_COUNT: ['-3'], RETAIN_FAILED_AGE: ['week'],
    METRICS_ENABLED: ['sometimes'], METRICS_PORT: ['0', '65536', 'http'], HEALTH_DETAILED: ['2'],
    // A path that takes every request, or overlaps another of the api's own paths (defaults:
    // /hc, /admin/queues, /knocker/status, /knocker, /metrics), whatever its case or trailing /.
    HEALTH_PATH: ['hc', '/hc?x=1', '/', '//', '/metrics', '/Metrics/', '/knocker', '/knocker/hc', '/KNOCKER/x', '/admin', '/admin/queues/hc', '/knocker/status'],
    BOARD_PATH: ['admin', '/', '/hc', '/HC/board', '/metrics', '/knocker', '/knocker/board', '/knocker/status'],
    STATUS_URL: ['status', '/a b', '/x?y', '/hc', '/hc/status', '/metrics', '/METRICS/', '/admin/queues', '/admin/queues/status'],
    RESERVED_PREFIX: ['/', 'knocker', '/hc', '/hc/knocker', '/admin', '/admin/queues/x', '/metrics'],
    HEALTH_TIMEOUT_MS: ['0', '1.5'], HEALTH_CACHE_SECONDS: ['-1'], HEALTH_CACHE_MODE: ['disk'], HEALTH_API_KEY: [], HEALTH_CORS_ORIGIN: [],
    BOARD_USER: [], BOARD_PASSWORD: [], MAX_INFLIGHT: ['-1', 'lots'], MAX_EVENT_LOOP_DELAY_MS: ['-1', '10001', '50ms'], MAX_ANSWER_DELAY_MS: ['-1', '60001', '1.5'], READ_TIMEOUT: ['0', '-1'], WRITE_TIMEOUT: ['x'],
    HEALTHCHECK_INTERVAL: ['-2'],
    ADMIN_API_KEY: ['short', 'has a space in the middle'], REQUEST_LOG_MAX_LINES: ['0'],
    REQUEST_LOG_MAX_BYTES: ['lots'], REQUEST_LOG_REQUIRES_ADMIN_KEY: ['sometimes'],
    DELAY_MAX: ['0', '0s', '367d', 'soon', '-5', '1w'], SCHEDULES_MAX: ['-1', '1000001', 'many', '1.5'],
    EGRESS_PROXY: ['ftp://proxy:21', 'http://proxy:99999', 'http://:pw@proxy:3128/path'], EGRESS_NO_PROXY: ['10.0.0.0/33', 'a b'],
    TARGET_TLS: ['api.example.com:443', 'api.example.com:443 ca='], TARGET_AUTH: ['api.example.com:443 oauth2', 'api.example.com:443 magic=1'],
    LOCK_DURATION_MS: ['499', '3600001', '30s'], STALLED_INTERVAL_MS: ['99', 'often'], MAX_STALLED_COUNT: ['-1', '101', 'once'],
    BLOCK_PRIVATE_NETWORKS: ['sometimes', 'automatic', '2'], ALLOWED_NETWORKS: ['10.0.0.0/33', '10.0.0.0/8,example.com', 'fe80::/129'],
    QSTASH_TOKENS: ['short', 'has a space in the token'], QSTASH_CURRENT_SIGNING_KEY: ['sig_short', 'sig_with a space inside'], QSTASH_NEXT_SIGNING_KEY: ['x'],
    KNOCKER_API_KEYS: ['short', 'a-long-enough-key-1,tiny', 'has a space in the key', 'ключ-ключ-ключ-ключ'],
    HOST_CONCURRENCY: ['-1', '1.5', '100001'], HOST_RATE: ['fast', '-1'], BREAKER_FAILURES: ['x', '-1'], BREAKER_COOLDOWN: ['0', 'soon'],
    BREAKER_COOLDOWN_MAX: ['0', '86401'],
    HOST_LIMITS: ['a.example:443', 'a.example:443 speed=3', 'a.example:443 concurrency=1.5', 'a b=c rate=1', '{x} rate=1', 'a rate=1; a rate=2', 'a rate=-1'],
    RETRY_AFTER_MAX: ['-1', '1h'], SUCCESS_CALLBACK_MAX_BODY: ['-1', `${16 * 1024 * 1024 + 1}`, '64k'],
    SIGNING_SECRETS: [
      `whsec_${KEY_23}`, `whsec_${KEY_65}`, KEY_24, `whsec_${KEY_24}!`, `whsec_${KEY_24.slice(0, -1)}*`, `whsec_${KEY_24},whsec_`, `whsec_${KEY_24} whsec_${KEY_24}`,
    ],
  };

  it('has bad values to try for every variable', () => {
    expect(Object.keys(BAD).sort()).toEqual(Object.keys(schema.shape).sort());
  });

  it.each(Object.entries(BAD).flatMap(([name, values]) => values.map((value) => [name, value] as const)))(
    'refuses %s=%j and names only that variable',
    (name, value) => {
      const problems = problemsOf({ [name]: value });
      expect(Object.keys(problems)).toEqual([name]);
      expect(problems[name]).toMatch(/expected/);
    },
  );

  it('never repeats a secret in its message', () => {
    for (const [name, value] of [['KNOCKER_API_KEYS', 'good-key-0123456789,hunter2'], ['REDIS_URL', 'http://:hunter2@redis.example'], ['SENTRY_DSN', 'hunter2 secret'], ['SENTRY_DSN', 'https://hunter2-x@sentry.example/1'], ['OTEL_EXPORTER_OTLP_HEADERS', 'authorization=hunter2%'], ['SIGNING_SECRETS', `whsec_${KEY_24},whsec_hunter2`]]) {
      const message = (() => {
        try {
          loadConfig({ [name as string]: value });
        } catch (err) {
          return (err as Error).message;
        }
        return '';
      })();
      expect(message).toContain(name);
      expect(message).not.toContain('hunter2');
      expect(message).not.toContain('good-key');
      expect(message).not.toContain(KEY_24);
    }
  });

  it('reads the stalled-job tuning, the network policy and the api keys', () => {
    expect(loadConfig({}).worker.stalled).toEqual({ lockDurationMs: 30000, stalledIntervalMs: 30000, maxStalledCount: 1 });
    expect(loadConfig({ BIND_ADDRESS: '127.0.0.1' }).network).toMatchObject({ blockPrivateNetworks: false, allowedNetworks: [] });
    expect(loadConfig({}).api.apiKeys).toEqual([]);
    expect(loadConfig({ SENTRY_DSN: 'https://0123abcd@o1.ingest.sentry.io/42' }).telemetry.sentry.dsn).toBe('https://0123abcd@o1.ingest.sentry.io/42');
    const c = loadConfig({
      LOCK_DURATION_MS: '2000', STALLED_INTERVAL_MS: '500', MAX_STALLED_COUNT: '3', BLOCK_PRIVATE_NETWORKS: 'true',
      ALLOWED_NETWORKS: ' 10.1.0.0/16, 169.254.169.254 ,', KNOCKER_API_KEYS: 'first-key-0123456789, second-key-0123456789',
    });
    expect(c.worker.stalled).toEqual({ lockDurationMs: 2000, stalledIntervalMs: 500, maxStalledCount: 3 });
    expect(c.network).toMatchObject({ blockPrivateNetworks: true, allowedNetworks: ['10.1.0.0/16', '169.254.169.254'] });
    expect(c.api.apiKeys).toEqual(['first-key-0123456789', 'second-key-0123456789']);
  });

  it('caps Retry-After at RETRIES_BACKOFF_FACTOR_MAX unless RETRY_AFTER_MAX says otherwise', () => {
    expect(loadConfig({}).worker.retryAfterMaxMs).toBe(600_000);
    expect(loadConfig({ RETRIES_BACKOFF_FACTOR_MAX: '30' }).worker.retryAfterMaxMs).toBe(30_000);
    expect(loadConfig({ RETRY_AFTER_MAX: '2.5' }).worker.retryAfterMaxMs).toBe(2500);
    expect(loadConfig({ RETRY_AFTER_MAX: ' ' }).worker.retryAfterMaxMs).toBe(600_000);
  });

  it('reads the success callback bound and decodes the signing secrets once', () => {
    expect(loadConfig({}).worker).toMatchObject({ successCallbackMaxBody: 65536, signingKeys: [] });
    expect(loadConfig({ SUCCESS_CALLBACK_MAX_BODY: '0' }).worker.successCallbackMaxBody).toBe(0);
    const two = Buffer.alloc(64, 9).toString('base64');
    const keys = loadConfig({ SIGNING_SECRETS: ` whsec_${KEY_24}, whsec_${two} ,` }).worker.signingKeys;
    expect(keys).toEqual([Buffer.alloc(24, 7), Buffer.alloc(64, 9)]);
    // Written without its padding, as some senders show them.
    expect(loadConfig({ SIGNING_SECRETS: `whsec_${key(25).replace(/=+$/, '')}` }).worker.signingKeys).toEqual([Buffer.alloc(25, 7)]);
  });

  it('refuses a default above its maximum', () => {
    expect(problemsOf({ RETRIES: '5', RETRIES_MAX: '3' })).toEqual({ RETRIES: 'must not exceed RETRIES_MAX (5 > 3)' });
    expect(problemsOf({ TIMEOUT: '90' })).toHaveProperty('TIMEOUT');
  });

  it('wants both Bull Board credentials or neither', () => {
    expect(problemsOf({ BOARD_USER: 'ops' })).toEqual({ BOARD_PASSWORD: 'must be set together with the other Bull Board credential' });
    expect(problemsOf({ BOARD_PASSWORD: 'pw' })).toHaveProperty('BOARD_USER');
    expect(loadConfig({ BOARD_USER: 'ops', BOARD_PASSWORD: 'pw' }).board).toEqual({ path: '/admin/queues', user: 'ops', password: 'pw' });
  });

  it('configures the reserved routes, the admin key and the bounds of request logs', () => {
    expect(loadConfig({}).api).toMatchObject({
      adminApiKey: '', reservedPrefix: '/knocker', requestLog: { maxLines: 100, maxBytes: 65536, requiresAdminKey: false },
    });
    const c = loadConfig({
      ADMIN_API_KEY: 'k'.repeat(16), RESERVED_PREFIX: '/_relay/', REQUEST_LOG_MAX_LINES: '5', REQUEST_LOG_MAX_BYTES: '10', REQUEST_LOG_REQUIRES_ADMIN_KEY: 'yes',
    });
    expect(c.api).toMatchObject({ adminApiKey: 'k'.repeat(16), reservedPrefix: '/_relay', requestLog: { maxLines: 5, maxBytes: 10, requiresAdminKey: true } });
  });

  it('refuses to require the admin key for log lines when there is none', () => {
    expect(problemsOf({ REQUEST_LOG_REQUIRES_ADMIN_KEY: 'true' })).toEqual({ REQUEST_LOG_REQUIRES_ADMIN_KEY: expect.stringMatching(/needs ADMIN_API_KEY/) });
  });

  it('keeps the QStash door off without tokens, and needs both signing keys with them', () => {
    expect(loadConfig({}).qstash).toEqual({ tokens: [], signingKeys: { current: '', next: '' } });
    expect(problemsOf({ QSTASH_TOKENS: 't'.repeat(16), QSTASH_CURRENT_SIGNING_KEY: 'sig_' + 'c'.repeat(28) })).toEqual({
      QSTASH_NEXT_SIGNING_KEY: expect.stringMatching(/required with QSTASH_TOKENS/),
    });
    const keys = { QSTASH_CURRENT_SIGNING_KEY: 'sig_' + 'c'.repeat(28), QSTASH_NEXT_SIGNING_KEY: 'sig_' + 'n'.repeat(28) };
    expect(loadConfig({ QSTASH_TOKENS: `${'a'.repeat(16)}, ${'b'.repeat(16)}`, ...keys }).qstash).toEqual({
      tokens: ['a'.repeat(16), 'b'.repeat(16)], signingKeys: { current: keys.QSTASH_CURRENT_SIGNING_KEY, next: keys.QSTASH_NEXT_SIGNING_KEY },
    });
    expect(Object.keys(problemsOf({ QSTASH_TOKENS: 'short' }))).toEqual(['QSTASH_TOKENS']);
  });

  it('reads DELAY_MAX as seconds or a duration, and SCHEDULES_MAX', () => {
    expect(loadConfig({})).toMatchObject({ protocol: { delayMax: 604800 }, schedules: { max: 1000 } });
    expect(loadConfig({ DELAY_MAX: '36h', SCHEDULES_MAX: '0' })).toMatchObject({ protocol: { delayMax: 129600 }, schedules: { max: 0 } });
    expect(loadConfig({ DELAY_MAX: '90.5' }).protocol.delayMax).toBe(90.5);
  });

  it('names every bad variable in one message', () => {
    expect(() => loadConfig({ PORT: 'x', SCHEME: 'ftp' })).toThrow(/PORT: .*; SCHEME: |SCHEME: .*; PORT: /);
  });

  it('accepts Python level names and json logs', () => {
    expect(loadConfig({ LOG_LEVEL: 'WARNING', LOG_FORMAT: 'json' }).telemetry.log).toMatchObject({ level: 'warning', format: 'json' });
    expect(loadConfig({ LOG_LEVEL: 'warn' }).telemetry.log.level).toBe('warning');
  });
});

describe('flow control settings', () => {
  it('are off by default', () => {
    const { flow } = loadConfig({});
    expect(flow.defaults).toEqual({ concurrency: 0, rate: 0 });
    expect(flow.overrides.size).toBe(0);
    expect(flow.breaker).toEqual({ failures: 0, cooldownMs: 30_000, cooldownMaxMs: 600_000 });
  });

  it('read HOST_LIMITS entries over the defaults', () => {
    const { flow } = loadConfig({ HOST_CONCURRENCY: '4', HOST_RATE: '2.5', HOST_LIMITS: 'api.example.com:443 concurrency=2 rate=10; tenant-7 rate=0' });
    expect(flow.defaults).toEqual({ concurrency: 4, rate: 2.5 });
    expect(flow.overrides.get('api.example.com:443')).toEqual({ concurrency: 2, rate: 10 });
    expect(flow.overrides.get('tenant-7')).toEqual({ concurrency: 4, rate: 0 });
  });

  it('refuse a cooldown above its maximum', () => {
    expect(problemsOf({ BREAKER_COOLDOWN: '60', BREAKER_COOLDOWN_MAX: '30' })).toEqual({ BREAKER_COOLDOWN: expect.stringMatching(/BREAKER_COOLDOWN_MAX/) });
  });
});

describe("the api's own paths", () => {
  it('are accepted apart from each other, and with the status page under RESERVED_PREFIX', () => {
    const accepted = [
      {}, { STATUS_URL: '/knocker/status/' }, { STATUS_URL: '/Knocker' },
      { STATUS_URL: '/', HEALTH_PATH: '/healthz', BOARD_PATH: '/board', RESERVED_PREFIX: '/_k' },
      // Siblings sharing a beginning are apart: /hc does not hold /hcx.
      { HEALTH_PATH: '/hc', BOARD_PATH: '/hcx', STATUS_URL: '/knockerx' },
      // Without metrics the api serves no /metrics, and the path is free.
      { METRICS_ENABLED: 'false', STATUS_URL: '/metrics' },
    ];
    for (const env of accepted) expect(() => loadConfig(env)).not.toThrow();
  });

  it('refuses a router mounted at /', () => {
    expect(problemsOf({ BOARD_PATH: '/' })).toEqual({ BOARD_PATH: expect.stringMatching(/other than \/: .*nothing would be relayed/) });
    expect(problemsOf({ HEALTH_PATH: '/' })).toEqual({ HEALTH_PATH: expect.stringMatching(/other than \//) });
    expect(Object.keys(problemsOf({ HEALTH_PATH: '/', BOARD_PATH: '/' })).sort()).toEqual(['BOARD_PATH', 'HEALTH_PATH']);
  });

  it('names the variable that was set, and the one it overlaps', () => {
    expect(problemsOf({ HEALTH_PATH: '/Admin/' })).toEqual({ HEALTH_PATH: expect.stringMatching(/^expected a path apart from BOARD_PATH \(\/admin\/queues\)/) });
    expect(problemsOf({ BOARD_PATH: '/hc/board' })).toEqual({ BOARD_PATH: expect.stringMatching(/apart from HEALTH_PATH \(\/hc\)/) });
    expect(problemsOf({ RESERVED_PREFIX: '/hc' })).toEqual({ RESERVED_PREFIX: expect.stringMatching(/apart from HEALTH_PATH \(\/hc\)/) });
    expect(problemsOf({ STATUS_URL: '/metrics' })).toEqual({ STATUS_URL: expect.stringMatching(/apart from \/metrics, where the api serves its metrics/) });
    // Both clashes at once, so one restart shows everything to fix.
    expect(problemsOf({ BOARD_PATH: '/knocker' })['BOARD_PATH']).toMatch(/STATUS_URL.*RESERVED_PREFIX/);
    expect(problemsOf({ HEALTH_PATH: '/x', BOARD_PATH: '/X/y' })).toEqual({ BOARD_PATH: expect.stringMatching(/apart from HEALTH_PATH \(\/x\)/) });
    expect(problemsOf({ STATUS_URL: '/s', BOARD_PATH: '/s' })).toEqual({ STATUS_URL: expect.stringMatching(/apart from BOARD_PATH \(\/s\)/) });
    // Moved together, the prefix still holds the board.
    expect(problemsOf({ BOARD_PATH: '/k/board', RESERVED_PREFIX: '/k' })).toEqual({ RESERVED_PREFIX: expect.stringMatching(/apart from BOARD_PATH \(\/k\/board\)/) });
  });

  it('says so in the start-up error', () => {
    expect(() => loadConfig({ HEALTH_PATH: '/knocker/hc' })).toThrow(/Invalid configuration: HEALTH_PATH: expected a path apart from RESERVED_PREFIX \(\/knocker\)/);
  });
});
