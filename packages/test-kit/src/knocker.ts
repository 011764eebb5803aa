import { fileURLToPath } from 'node:url';
import { freePort } from './port.js';
import { startProcess, type ChildHandle } from './process.js';

// Same relative place from src/ and dist/: the apps' built entry points.
const entry = (app: 'api' | 'worker') => fileURLToPath(new URL(`../../../apps/${app}/dist/main.js`, import.meta.url));

/**
 * Loopback-only defaults; a test overrides what it checks. No drain on SIGTERM, so stopping
 * a process in a test does not wait for a load balancer that is not there.
 */
function baseEnv(redisUrl: string, prefix: string): Record<string, string> {
  return { REDIS_URL: redisUrl, QUEUE_PREFIX: prefix, BIND_ADDRESS: '127.0.0.1', LOG_LEVEL: 'info', SCHEME: 'http', HEALTHCHECK_INTERVAL: '0' };
}

export interface KnockerProcess extends ChildHandle {
  port: number;
  /** The api itself, or the worker's metrics and health server. */
  url: string;
}
export type ApiProcess = KnockerProcess;

interface StartOptions {
  redisUrl: string;
  prefix: string;
  env?: Record<string, string>;
}

/** Runs the built api as a child process on a free loopback port. */
export async function startApi(opts: StartOptions): Promise<ApiProcess> {
  const port = await freePort();
  const child = await startProcess({ name: 'api', entry: entry('api'), env: { ...baseEnv(opts.redisUrl, opts.prefix), ...opts.env, PORT: String(port) }, ready: /listening on/ });
  return Object.assign(child, { port, url: `http://127.0.0.1:${port}` });
}

/** Runs the built worker as a child process, its metrics server on a free loopback port. */
export async function startWorker(opts: StartOptions): Promise<KnockerProcess> {
  const port = await freePort();
  const child = await startProcess({
    name: 'worker', entry: entry('worker'), env: { ...baseEnv(opts.redisUrl, opts.prefix), ...opts.env, METRICS_PORT: String(port) }, ready: /worker .* ready/,
  });
  return Object.assign(child, { port, url: `http://127.0.0.1:${port}` });
}
