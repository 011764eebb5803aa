import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './index.js';

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
  it("uses Knocker's defaults", () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      scheme: 'https', maxRedirects: 10, statusUrl: '/knocker/status', hostsOnly: [], timeout: 10, timeoutMax: 60,
      retries: 2, retriesMax: 10, backoffFactor: 0.5, backoffFactorMax: 600, port: 8000, maxBodySize: 1048576,
      redisUrl: 'redis://127.0.0.1:6379',
      log: { file: '-', level: 'info', format: '%(asctime)s %(levelname)-8s %(message)s' },
      sentry: { dsn: '', failedRequests: false },
    });
  });

  it('parses HOSTS_ONLY as a JSON list or a comma-separated list', () => {
    expect(loadConfig({ HOSTS_ONLY: '["A.example", "b.example:8080"]' }).hostsOnly).toEqual(['a.example', 'b.example:8080']);
    expect(loadConfig({ HOSTS_ONLY: 'a.example, b.example' }).hostsOnly).toEqual(['a.example', 'b.example']);
    expect(problemsOf({ HOSTS_ONLY: '[1, 2]' })).toHaveProperty('HOSTS_ONLY');
    expect(problemsOf({ HOSTS_ONLY: '[not json' })).toHaveProperty('HOSTS_ONLY');
  });

  it.each([
    ['TIMEOUT', 'abc'], ['TIMEOUT', '0'], ['TIMEOUT', '-1'], ['TIMEOUT', 'NaN'], ['TIMEOUT', 'Infinity'],
    ['RETRIES', '1.5'], ['RETRIES', '-1'], ['RETRIES', '1e3'], ['PORT', '70000'], ['SCHEME', 'ftp'],
    ['SENTRY_FAILED_REQUESTS', 'maybe'], ['REDIS_URL', 'http://x'], ['LOG_LEVEL', 'loud'],
    ['LOG_FORMAT', '%(asctime)s %(funcName)s'], ['STATUS_URL', 'status'], ['QUEUE_PREFIX', 'a:b'],
    ['MAX_BODY_SIZE', '-5'], ['WORKER_CONCURRENCY', '0'],
    ['ADMIN_API_KEY', 'short'], ['ADMIN_API_KEY', 'has a space in the middle'], ['RESERVED_PREFIX', '/'], ['RESERVED_PREFIX', '//'], ['RESERVED_PREFIX', 'knocker'],
    ['REQUEST_LOG_MAX_LINES', '0'], ['REQUEST_LOG_MAX_BYTES', 'lots'],
  ])('refuses %s=%s and names the variable', (name, value) => {
    const problems = problemsOf({ [name]: value });
    expect(Object.keys(problems)).toEqual([name]);
    expect(problems[name]).toMatch(/expected/);
  });

  it('refuses a default above its maximum', () => {
    expect(problemsOf({ RETRIES: '5', RETRIES_MAX: '3' })).toEqual({ RETRIES: 'must not exceed RETRIES_MAX (5 > 3)' });
    expect(problemsOf({ TIMEOUT: '90' })).toHaveProperty('TIMEOUT');
  });

  it('configures the reserved routes, the admin key and the bounds of request logs', () => {
    expect(loadConfig({})).toMatchObject({
      adminApiKey: '', reservedPrefix: '/knocker', requestLog: { maxLines: 100, maxBytes: 65536, requiresAdminKey: false },
    });
    const c = loadConfig({
      ADMIN_API_KEY: 'k'.repeat(16), RESERVED_PREFIX: '/_relay/', REQUEST_LOG_MAX_LINES: '5', REQUEST_LOG_MAX_BYTES: '10', REQUEST_LOG_REQUIRES_ADMIN_KEY: 'yes',
    });
    expect(c).toMatchObject({ adminApiKey: 'k'.repeat(16), reservedPrefix: '/_relay', requestLog: { maxLines: 5, maxBytes: 10, requiresAdminKey: true } });
  });

  it('refuses to require the admin key for log lines when there is none', () => {
    expect(problemsOf({ REQUEST_LOG_REQUIRES_ADMIN_KEY: 'true' })).toEqual({ REQUEST_LOG_REQUIRES_ADMIN_KEY: expect.stringMatching(/needs ADMIN_API_KEY/) });
  });

  it('names every bad variable in one message', () => {
    expect(() => loadConfig({ PORT: 'x', SCHEME: 'ftp' })).toThrow(/PORT: .*; SCHEME: |SCHEME: .*; PORT: /);
  });

  it('accepts Python level names and json logs', () => {
    expect(loadConfig({ LOG_LEVEL: 'WARNING', LOG_FORMAT: 'json' }).log).toMatchObject({ level: 'warning', format: 'json' });
    expect(loadConfig({ LOG_LEVEL: 'warn' }).log.level).toBe('warning');
  });
});
