import { afterAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@knocker/config';
import { createRequestStore, createSchedules, producerConnection, type Connection, type RequestStore, type Schedules } from '@knocker/queue';
import { createErrorReporter, createLogger } from '@knocker/telemetry';
import { noTracing } from '@knocker/tracing';
import { sharedRedisUrl, silentLog, uniquePrefix } from '@knocker/test-kit';
import { createApi } from '../src/app.js';
import { apiDeps } from '../src/deps.js';
import { routeTable, type RouteEntry } from '../src/route-table.js';

// The api's express app, built as main.ts builds it, lists its routes; each must be an
// operation of the document that api serves, and each operation a route. A route added to
// the api without its description fails here, whatever the contract test drives.
const opened: Array<{ connection: Connection; store: RequestStore; schedules: Schedules }> = [];
afterAll(async () => {
  for (const o of opened) {
    await Promise.allSettled([o.store.close(), o.schedules.close()]);
    o.connection.disconnect();
  }
});

function build(env: Record<string, string>) {
  const config = loadConfig({ REDIS_URL: sharedRedisUrl(), QUEUE_PREFIX: uniquePrefix('routes'), LOG_LEVEL: 'error', ADMIN_API_KEY: 'admin-key-for-routes-0123456789', ...env });
  const connection = producerConnection(config.redis.url, config.redis.timeoutMs);
  connection.on('error', () => undefined);
  const store = createRequestStore(connection, { prefix: config.queue.prefix, shards: config.queue.shards, timeoutMs: config.redis.timeoutMs, bounded: true, log: silentLog });
  const schedules = createSchedules(connection, config.queue.prefix, config.queue.retention);
  opened.push({ connection, store, schedules });
  const logger = createLogger({ name: 'api', ...config.telemetry.log });
  const reporter = createErrorReporter({ dsn: '', release: 'test', serverName: 'test' });
  const deps = apiDeps({ config, connection, store, schedules, logger, reporter, tracing: noTracing, shutdown: { stopping: false } });
  return { routes: routeTable(createApi(deps).app), doc: JSON.parse(deps.openApi) as { paths: Record<string, Record<string, unknown>> } };
}

// Parameter names aside: express's `/hc/:path` is the document's `/hc/{check}`.
const shape = (path: string) => path.replace(/\{[^}]+\}/g, '{}');
const key = (r: RouteEntry) => `${r.method} ${shape(r.path)}`;

// The relay takes any path the routes leave, and the door's publish routes take a raw
// destination by prefix (`x-knocker-raw-destination`): both are answered outside express's routes.
const outsideRoutes = (path: string, op: unknown): boolean => path === '/{path}' || (op as Record<string, unknown>)['x-knocker-raw-destination'] === true;

function operations(doc: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item)
    .filter(([m, op]) => m !== 'parameters' && !outsideRoutes(path, op))
    .map(([m]) => `${m.toUpperCase()} ${shape(path)}`));
}

/** Routes without an operation, and operations without a route. */
function compare(routes: RouteEntry[], doc: { paths: Record<string, Record<string, unknown>> }) {
  const documented = new Set(operations(doc));
  const served = new Set(routes.map(key));
  return { undocumented: [...served].filter((r) => !documented.has(r)).sort(), unserved: [...documented].filter((o) => !served.has(o)).sort() };
}

describe.each([
  ['the defaults', {}],
  ['moved paths, metrics off, the log behind the admin key', { RESERVED_PREFIX: '/relay-admin', STATUS_URL: '/status', HEALTH_PATH: '/health', METRICS_ENABLED: 'false', REQUEST_LOG_REQUIRES_ADMIN_KEY: 'true' }],
  ['the QStash door on, under a moved prefix', {
    RESERVED_PREFIX: '/relay-admin', QSTASH_TOKENS: 'qstash-token-routes-0123456789', QSTASH_CURRENT_SIGNING_KEY: 'sig_routes_current_0123456789', QSTASH_NEXT_SIGNING_KEY: 'sig_routes_next_0123456789',
  }],
])('with %s', (_name, env) => {
  const { routes, doc } = build(env);

  it('every route of the api is an operation of its document, and every operation a route', () => {
    expect(routes.length).toBeGreaterThan(10);
    expect(compare(routes, doc)).toEqual({ undocumented: [], unserved: [] });
  });

  it('a path left out of the document is noticed', () => {
    for (const path of Object.keys(doc.paths).filter((p) => operations({ paths: { [p]: doc.paths[p]! } }).length > 0)) {
      const { [path]: _, ...rest } = doc.paths;
      expect([path, compare(routes, { paths: rest }).undocumented.length > 0]).toEqual([path, true]);
    }
  });
});

it('lists mounted routers at their mount path, with OpenAPI parameters', () => {
  const { routes } = build({});
  expect(routes).toEqual(expect.arrayContaining([
    { method: 'GET', path: '/knocker/requests/{id}' },
    { method: 'POST', path: '/knocker/hosts/{key}/pause' },
    { method: 'GET', path: '/hc/{path}' },
    { method: 'GET', path: '/hc' },
  ]));
});
