import { canaryViolations, startCanary, type CanaryReport } from './canary.js';
import { startHostile, type Behaviour, type Hostile } from './hostile.js';
import { spawnHostile } from './hostile-process.js';
import { request, type HttpReply } from './http.js';
import { startApi, startWorker, type ApiProcess, type KnockerProcess } from './knocker.js';
import { settle, type Settled } from './outcomes.js';
import { uniquePrefix } from './prefix.js';
import { sharedRedisUrl } from './redis-ping.js';
import { startTarget, type Responder, type Target } from './target.js';
import { restingRss, watchProcesses, watchViolations, type WatchOptions, type WatchReport } from './watch.js';

export interface ArenaOptions {
  /** Names the queue prefix and the request ids. */
  name: string;
  env?: Record<string, string>;
  fakeDns?: Record<string, string[]>;
  /** The canary's Knocker-Host, from its port; default `127.0.0.1:<port>`. */
  canaryHost?: (port: number) => string;
  watch?: WatchOptions;
}

/** An api and a worker on their own queue prefix, with a canary target and a callback recorder. */
export interface Arena {
  api: ApiProcess;
  worker: KnockerProcess;
  /** Receives the ordinary requests sent during an attack. */
  canary: Target;
  /** Receives every failure callback (`Knocker-Callback` of each knock). */
  callbacks: Target;
  /** Starts a hostile target (in a child process with `child`), closed with the arena. */
  hostile(behaviour: Behaviour, opts?: { tls?: boolean; child?: boolean }): Promise<Hostile>;
  /** Starts an ordinary target, closed with the arena. */
  target(respond?: Responder): Promise<Target>;
  /** Sends one request for `host` with a fresh Knocker-Id and the callback; throws unless the api accepts it. */
  knock(host: string, headers?: Array<[string, string]>, path?: string): Promise<{ id: string; reply: HttpReply }>;
  /** Starts the health and RSS watch of the worker, and the canary. */
  attack(): Attack;
  /** Where each request ended up, waiting `timeoutMs` at most (less once the worker is gone). */
  settle(ids: readonly string[], timeoutMs: number): Promise<Settled[]>;
  close(): Promise<void>;
}

export interface Attack {
  /** Stops the canary, waits for its deliveries (`canaryBoundMs` each, default 10000), stops the watch. */
  end(opts?: { canaryBoundMs?: number }): Promise<AttackReport>;
}

export interface AttackReport {
  watch: WatchReport[];
  canary: CanaryReport;
  /** Every bound broken, in words: empty when the worker stayed healthy and the canary was delivered. */
  violations: string[];
}

const ADMIN_KEY = 'arena-admin-key-0123456789';
const WARM_UP = 50;

/** Starts an arena and warms its worker up (WARM_UP deliveries at once) before reading its idle RSS. */
export async function startArena(opts: ArenaOptions): Promise<Arena> {
  const [canary, callbacks] = await Promise.all([startTarget(), startTarget()]);
  const knockerOpts = {
    redisUrl: sharedRedisUrl(), prefix: uniquePrefix(opts.name), fakeDns: opts.fakeDns,
    env: { ADMIN_API_KEY: ADMIN_KEY, ...opts.env },
  };
  const [api, worker] = await Promise.all([startApi(knockerOpts), startWorker(knockerOpts)]);
  const canaryHost = (opts.canaryHost ?? ((port) => `127.0.0.1:${port}`))(canary.port);
  const sendCanary = (id: string) => request(`${api.url}/canary`, {
    method: 'POST', headers: [['Knocker-Host', canaryHost], ['Knocker-Id', id]], body: 'canary', timeoutMs: 5000,
  });
  const servers: Array<Hostile | Target> = [canary, callbacks];
  const serve = async <T extends Hostile | Target>(started: Promise<T>): Promise<T> => {
    const server = await started;
    servers.push(server);
    return server;
  };
  const close = async (): Promise<void> => {
    // Whatever state an attack left them in, frozen included: SIGKILL does not wait.
    await Promise.all([api, worker].filter((c) => c.alive()).map((c) => c.kill('SIGKILL')));
    await Promise.all(servers.map((s) => s.close()));
  };

  try {
    await Promise.all(Array.from({ length: WARM_UP }, (_, i) => sendCanary(`warm-${i}`)));
    await canary.waitForRequests(WARM_UP, 30_000);
    await new Promise((r) => setTimeout(r, 1000));
  } catch (err) {
    await close();
    throw err;
  }
  const idleRss = await restingRss(worker.pid);
  let knocks = 0;
  let canaries = 0;

  return {
    api, worker, canary, callbacks, close,
    hostile: (behaviour, { child = false, tls = false } = {}) => serve(child ? spawnHostile(behaviour, { tls }) : startHostile(behaviour, { tls })),
    target: (respond) => serve(startTarget(respond)),
    async knock(host, headers = [], path = '/hook') {
      const id = `${opts.name}-${++knocks}`;
      const reply = await request(`${api.url}${path}`, {
        method: 'POST', body: 'hostile',
        headers: [['Knocker-Host', host], ['Knocker-Id', id], ['Knocker-Callback', `${callbacks.url}/failed`], ...headers],
      });
      if (reply.status < 200 || reply.status >= 300) throw new Error(`the api did not accept ${id}: ${reply.status} ${reply.text}`);
      return { id, reply };
    },
    attack() {
      const watch = watchProcesses([{ name: 'worker', pid: worker.pid, healthUrl: `${worker.url}/hc`, idleRss }], opts.watch);
      const stream = startCanary({ send: sendCanary, requests: () => canary.requests, idPrefix: `canary-${++canaries}` });
      return {
        async end({ canaryBoundMs = 10_000 } = {}) {
          const canaryReport = await stream.end(canaryBoundMs, () => !worker.alive());
          const reports = await watch.stop();
          return { watch: reports, canary: canaryReport, violations: [...watchViolations(reports), ...canaryViolations(canaryReport, canaryBoundMs)] };
        },
      };
    },
    settle(ids, timeoutMs) {
      return settle({ apiUrl: api.url, adminKey: ADMIN_KEY, ids, callbacks: () => callbacks.requests, timeoutMs, giveUp: () => !worker.alive() });
    },
  };
}

/** One line for the test's output: what the worker and the canary did during the attack. */
export function describeAttack(what: string, r: AttackReport): string {
  const w = r.watch.map((x) => `${x.name} health worst ${x.worstMs} ms (${x.failed}/${x.probes} failed), RSS ${mb(x.idleRss)} idle → ${mb(x.peakRss)} peak${x.killed ? `, KILLED (${x.killed})` : x.exited ? ', EXITED' : ''}`);
  return `${what}: ${w.join('; ')}; canary ${r.canary.delivered}/${r.canary.accepted} delivered (worst ${r.canary.worstMs} ms, refused ${r.canary.refused.length})`;
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
