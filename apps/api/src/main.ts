import { createServer } from 'node:http';
import { KNOCKER_VERSION } from '@knocker/protocol';
import { listen, runApp } from '@knocker/runtime';
import { createApi } from './app.js';
import { answerClientError } from './ingress/parse-errors.js';
import { apiDeps } from './deps.js';

void runApp('api', async (rt) => {
  const { config, logger } = rt;
  const { api, board: boardSettings } = config;
  if (!boardSettings.user) logger.info(`Bull Board is not mounted: set BOARD_USER and BOARD_PASSWORD to serve it at ${boardSettings.path}`);
  // Bull Board and its UI are loaded only when mounted: they are a tenth of an idle api's memory.
  const board = boardSettings.user ? (await import('./admin/board.js')).createBoard(boardSettings, rt.store, rt.schedules.queue) : undefined;
  const app = createApi(apiDeps(rt, board));

  // Give Redis a moment so the first requests after a start are not refused; without it the
  // api still starts, answers 503 and accepts as soon as Redis is reachable.
  await rt.redisReady(config.redis.timeoutMs);
  // of-watchdog's read_timeout: the whole request, body included, must arrive in time; Node
  // checks that only every connectionsCheckingInterval, hence a short one.
  const server = createServer({
    requestTimeout: api.readTimeoutMs,
    headersTimeout: api.readTimeoutMs,
    connectionsCheckingInterval: Math.min(1000, api.readTimeoutMs),
  }, app);
  server.on('clientError', answerClientError);
  rt.onShutdown('finish in-flight requests', () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  }));
  listen(server, { port: api.port, host: api.bindAddress }, logger, {
    ready: () => `Knocker api ${KNOCKER_VERSION} listening on http://${api.bindAddress}:${api.port} (pid ${process.pid}${rt.connection.status === 'ready' ? '' : ', waiting for Redis'})`,
    failure: (err) => `Cannot listen on ${api.bindAddress}:${api.port}: ${err.message}`,
  });
});
