import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeExit, spawnWatched, terminate, type Watched } from './child.js';
import { freePort } from './port.js';
import { pingRedis } from './redis-ping.js';
import { sleep } from './wait.js';

const run = promisify(execFile);
const READY_TIMEOUT_MS = 20_000;

export interface SentinelSetNode {
  port: number;
  /** "127.0.0.1:<port>" */
  address: string;
  alive(): boolean;
  /** Signals it (default SIGKILL) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /**
   * Starts it again on its port, empty. A server starts as a replica of the primary the
   * sentinels name, as the start scripts of the common Redis charts do (left to the sentinels,
   * turning a former primary into a replica takes them 10 to 20 s).
   */
  restart(): Promise<void>;
  output(): string;
}

/** A primary, its replicas and three sentinels on loopback, each its own process. */
export interface SentinelSet {
  /** The name the sentinels monitor the primary under: a value for REDIS_SENTINEL_NAME. */
  name: string;
  /** The sentinels, comma-separated: a value for REDIS_SENTINELS. */
  sentinels: string;
  /** The Redis servers, the first primary at the start. */
  servers: SentinelSetNode[];
  sentinelNodes: SentinelSetNode[];
  /** Runs redis-cli against one port and returns its output. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** The server the live sentinels name as primary (the first that answers). */
  primary(): Promise<SentinelSetNode>;
  /** Until the sentinels name a live primary other than `former` that says it is one; resolves to it. */
  waitNewPrimary(former: SentinelSetNode, timeoutMs?: number): Promise<SentinelSetNode>;
  /** Until the primary has `count` replicas with their link up. */
  waitReplicas(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface SentinelSetOptions {
  replicas?: number;
  name?: string;
  /** down-after-milliseconds: how long a silent primary takes to be declared down. */
  downAfterMs?: number;
}

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

async function launch(command: string, args: string[], port: number): Promise<Watched> {
  const w = spawnWatched(command, args, { outputCap: 128 * 1024 });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await pingRedis(`redis://127.0.0.1:${port}`, 200))) {
    if (!w.alive()) throw new Error(`${command} on ${port} exited (${describeExit(await w.drained)}):\n${w.output.tail()}`);
    if (Date.now() > deadline) {
      await terminate(w, 'SIGKILL');
      throw new Error(`${command} on ${port} did not answer PING in time:\n${w.output.tail()}`);
    }
    await sleep(50);
  }
  return w;
}

/**
 * Starts `redis-server` processes (a primary and `replicas` replicas of it, no persistence)
 * and three `redis-sentinel`s (quorum 2) on free loopback ports, and resolves once the
 * replicas are in sync and every sentinel knows the other two and the replicas, so a
 * failover can happen.
 */
export async function startSentinelSet(opts: SentinelSetOptions = {}): Promise<SentinelSet> {
  const name = opts.name ?? 'knocker-primary';
  const replicas = opts.replicas ?? 1;
  const dir = await mkdtemp(join(tmpdir(), 'knocker-sentinel-'));
  const procs: Array<{ port: number; w: Watched; start: (of?: number) => Promise<Watched> }> = [];
  const stopAll = async () => {
    await Promise.all(procs.map((p) => terminate(p.w, 'SIGKILL')));
    await rm(dir, { recursive: true, force: true });
  };
  const cli = async (port: number, ...args: string[]) => (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 })).stdout;
  const add = async (port: number, start: (of?: number) => Promise<Watched>) => {
    const proc = { port, w: await start(), start };
    procs.push(proc);
    return proc;
  };
  let servers: SentinelSetNode[] = [];
  let sentinelNodes: SentinelSetNode[] = [];
  const primaryPort = async () => {
    for (const s of sentinelNodes.filter((n) => n.alive())) {
      const port = Number((await cli(s.port, 'sentinel', 'get-master-addr-by-name', name).catch(() => '')).split('\n')[1]);
      if (servers.some((n) => n.port === port)) return port;
    }
    throw new Error('no live sentinel names a primary');
  };
  const primary = async () => {
    const port = await primaryPort();
    return servers.find((n) => n.port === port)!;
  };
  const asNode = (p: (typeof procs)[number]): SentinelSetNode => ({
    port: p.port,
    address: `127.0.0.1:${p.port}`,
    alive: () => p.w.alive(),
    kill: async (signal = 'SIGKILL') => void (await terminate(p.w, signal)),
    restart: async () => {
      await terminate(p.w, 'SIGKILL');
      const now = await primaryPort().catch(() => undefined);
      p.w = await p.start(now === p.port ? undefined : now);
    },
    output: () => p.w.output.text(),
  });
  try {
    // Each server its own dir: a replica's full sync writes dump.rdb there.
    const server = (port: number, first?: number) => async (of = first) => {
      const own = join(dir, String(port));
      await mkdir(own, { recursive: true });
      return launch('redis-server', [
        '--bind', '127.0.0.1', '--port', String(port), '--dir', own, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--logfile', '',
        ...(of === undefined ? [] : ['--replicaof', '127.0.0.1', String(of)]),
      ], port);
    };
    const first = await freePort();
    await add(first, server(first));
    for (let i = 0; i < replicas; i++) {
      const port = await freePort();
      await add(port, server(port, first));
    }
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${port}.conf`);
      // The sentinel rewrites its file with what it learns: written once, kept across restarts.
      await writeFile(conf, [
        `port ${port}`, 'bind 127.0.0.1', 'daemonize no', 'logfile ""', `dir ${dir}`,
        `sentinel monitor ${name} 127.0.0.1 ${first} 2`,
        `sentinel down-after-milliseconds ${name} ${opts.downAfterMs ?? 1000}`,
        `sentinel failover-timeout ${name} 5000`,
        `sentinel parallel-syncs ${name} 1`,
      ].join('\n') + '\n');
      await add(port, () => launch('redis-sentinel', [conf], port));
    }
  } catch (err) {
    await stopAll();
    throw err;
  }
  servers = procs.slice(0, replicas + 1).map(asNode);
  sentinelNodes = procs.slice(replicas + 1).map(asNode);
  const set: SentinelSet = {
    name,
    sentinels: sentinelNodes.map((n) => n.address).join(','),
    servers,
    sentinelNodes,
    cli,
    primary,
    async waitNewPrimary(former, timeoutMs = READY_TIMEOUT_MS) {
      let found: SentinelSetNode | undefined;
      await until('a new primary', timeoutMs, async () => {
        const p = await primary();
        found = p;
        return p !== former && p.alive() && /role:master/.test(await cli(p.port, 'info', 'replication'));
      });
      return found!;
    },
    async waitReplicas(count, timeoutMs = READY_TIMEOUT_MS) {
      await until(`${count} replicas in sync`, timeoutMs, async () => {
        const info = await cli((await primary()).port, 'info', 'replication');
        return [...info.matchAll(/^slave\d+:.*state=online/gm)].length >= count;
      });
    },
    stop: stopAll,
  };
  try {
    await set.waitReplicas(replicas);
    // Sentinels find each other and the replicas through the primary, every 2 s or so.
    await until('sentinels that know each other and the replicas', READY_TIMEOUT_MS, async () => {
      const states = await Promise.all(sentinelNodes.map((s) => cli(s.port, 'sentinel', 'master', name)));
      return states.every((s) => /num-other-sentinels\n2\b/.test(s) && new RegExp(`num-slaves\\n${replicas}\\b`).test(s));
    });
  } catch (err) {
    await stopAll();
    throw err;
  }
  return set;
}
