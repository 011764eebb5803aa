// The processes under test: Knocker's built api and worker, and the baselines, each a real
// process on 127.0.0.1 with its own log file.
import { fileURLToPath } from 'node:url';
import { freePort } from '@knocker/test-kit';
import { answers200, startNode } from './procs.mjs';

const path = (rel) => fileURLToPath(new URL(rel, import.meta.url));
const ROOT = path('../../');
const entry = (root, app) => `${root ?? ROOT}/apps/${app}/dist/main.js`;

/** Knocker's defaults, but on loopback, plain http to the target, and no load-balancer drain on stop. */
function knockerEnv(ctx, prefix) {
  return { REDIS_URL: ctx.redisUrl, QUEUE_PREFIX: prefix, BIND_ADDRESS: '127.0.0.1', SCHEME: 'http', HEALTHCHECK_INTERVAL: '0' };
}

/** `root`: another built checkout to run instead of this one (pnpm bench --compare). */
export async function startApi(ctx, { name = 'api', prefix, env = {}, root, readyTimeoutMs }) {
  const port = await freePort();
  const h = await startNode({
    name, entry: entry(root, 'api'), env: { ...knockerEnv(ctx, prefix), ...env, PORT: String(port) }, ready: answers200(`http://127.0.0.1:${port}/hc/_self`), logDir: ctx.logDir, nodeArgs: ctx.nodeArgs(name), ...(readyTimeoutMs && { readyTimeoutMs }),
  });
  return Object.assign(h, { port, url: `http://127.0.0.1:${port}`, prefix });
}

export async function startWorker(ctx, { name = 'worker', prefix, env = {}, root, readyTimeoutMs }) {
  const port = await freePort();
  const h = await startNode({
    name, entry: entry(root, 'worker'), env: { ...knockerEnv(ctx, prefix), ...env, METRICS_PORT: String(port) }, ready: answers200(`http://127.0.0.1:${port}/hc/_self`), logDir: ctx.logDir, nodeArgs: ctx.nodeArgs(name), ...(readyTimeoutMs && { readyTimeoutMs }),
  });
  return Object.assign(h, { port, prefix });
}

/** kind: 'express' or 'http'. */
export async function startIngestBaseline(ctx, { name, kind, prefix }) {
  const port = await freePort();
  const h = await startNode({
    name, entry: path(`../baselines/ingest-${kind}.mjs`), env: { REDIS_URL: ctx.redisUrl, QUEUE_PREFIX: prefix, PORT: String(port) },
    ready: /listening on/, logDir: ctx.logDir, nodeArgs: ctx.nodeArgs(name),
  });
  return Object.assign(h, { port, url: `http://127.0.0.1:${port}`, prefix });
}

/** client: 'got' or 'undici'. */
export async function startWorkerBaseline(ctx, { name, client, prefix }) {
  return Object.assign(
    await startNode({
      name, entry: path('../baselines/worker.mjs'), env: { REDIS_URL: ctx.redisUrl, QUEUE_PREFIX: prefix, CLIENT: client, WORKER_CONCURRENCY: '50' },
      ready: /worker ready/, logDir: ctx.logDir, nodeArgs: ctx.nodeArgs(name),
    }),
    { prefix },
  );
}
