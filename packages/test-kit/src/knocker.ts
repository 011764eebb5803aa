import { fileURLToPath } from 'node:url';
import { freePort } from './port.js';
import { startProcess, type ChildHandle } from './process.js';

// Same relative place from src/ and dist/: the apps' built entry points.
export const entry = (app: 'api' | 'worker') => fileURLToPath(new URL(`../../../apps/${app}/dist/main.js`, import.meta.url));
// Every app a test starts may connect to loopback only (see installLoopbackOnly).
export const preload = new URL('../../../packages/test-kit/dist/loopback-preload.js', import.meta.url).href;

export interface KnockerOptions {
  /** REDIS_URL; or clusterNodes, for REDIS_CLUSTER_NODES; or sentinels, for REDIS_SENTINELS and REDIS_SENTINEL_NAME. */
  redisUrl?: string;
  clusterNodes?: string;
  sentinels?: { sentinels: string; name: string };
  prefix: string;
  env?: Record<string, string>;
  /** Made-up host names and the addresses they resolve to in the child, without DNS. */
  fakeDns?: Record<string, string[]>;
}

export function childEnv(opts: KnockerOptions): Record<string, string> {
  const redis: Record<string, string> = opts.sentinels !== undefined ? { REDIS_SENTINELS: opts.sentinels.sentinels, REDIS_SENTINEL_NAME: opts.sentinels.name }
    : opts.clusterNodes === undefined ? { REDIS_URL: opts.redisUrl ?? '' } : { REDIS_CLUSTER_NODES: opts.clusterNodes };
  return { ...baseEnv(opts.prefix), ...redis, ...opts.env, KT_FAKE_DNS: JSON.stringify(opts.fakeDns ?? {}) };
}

/**
 * Loopback-only defaults; a test overrides what it checks. No drain on SIGTERM, so stopping
 * a process in a test does not wait for a load balancer that is not there.
 */
function baseEnv(prefix: string): Record<string, string> {
  return { QUEUE_PREFIX: prefix, BIND_ADDRESS: '127.0.0.1', LOG_LEVEL: 'info', SCHEME: 'http', HEALTHCHECK_INTERVAL: '0' };
}

export interface KnockerProcess extends ChildHandle {
  port: number;
  /** The api itself, or the worker's metrics and health server. */
  url: string;
}
export type ApiProcess = KnockerProcess;

/** Runs the built api as a child process on a free loopback port. */
export async function startApi(opts: KnockerOptions): Promise<ApiProcess> {
  const port = await freePort();
  const child = await startProcess({
    name: 'api',
    entry: entry('api'),
    nodeArgs: ['--import', preload],
    env: { ...childEnv(opts), PORT: String(port) },
    ready: /listening on/,
  });
  return Object.assign(child, { port, url: `http://127.0.0.1:${port}` });
}

/** Runs the built worker as a child process, its metrics server on a free loopback port. */
export async function startWorker(opts: KnockerOptions): Promise<KnockerProcess> {
  const port = await freePort();
  const child = await startProcess({
    name: 'worker',
    entry: entry('worker'),
    nodeArgs: ['--import', preload],
    env: { ...childEnv(opts), METRICS_PORT: String(port) },
    ready: /worker .* ready/,
  });
  return Object.assign(child, { port, url: `http://127.0.0.1:${port}` });
}
