import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeExit, spawnWatched, terminate, type Watched } from './child.js';
import { pingRedis } from './redis-ping.js';
import { sleep } from './wait.js';

const run = promisify(execFile);
const READY_TIMEOUT_MS = 20_000;
// Redis Cluster's bus listens on the port plus this.
const BUS_OFFSET = 10_000;

export interface ClusterNode {
  port: number;
  /** "127.0.0.1:<port>" */
  address: string;
  alive(): boolean;
  /** Signals it (default SIGKILL) and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on its port and dir: it rejoins the cluster (as a replica, if it was failed over). */
  restart(): Promise<void>;
  output(): string;
}

/** A Redis Cluster on loopback: its own redis-server processes, each with its dir. */
export interface RedisCluster {
  nodes: ClusterNode[];
  /** Every node, comma-separated: a value for REDIS_CLUSTER_NODES. */
  seeds: string;
  /** Runs redis-cli against one node and returns its output. */
  cli(port: number, ...args: string[]): Promise<string>;
  /** The live masters, as the live nodes see them, with the slot ranges each serves. */
  masters(): Promise<Array<{ node: ClusterNode; slots: Array<[number, number]> }>>;
  /** The live master serving a slot. */
  masterOf(slot: number): Promise<ClusterNode>;
  /** Until every live node says cluster_state:ok and every slot has a live master. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  masters?: number;
  replicasPerMaster?: number;
  /** cluster-node-timeout: how long a silent master takes to be failed over. */
  nodeTimeoutMs?: number;
}

/** Ports p and p + 10000, both free on loopback. */
async function freePortPair(taken: Set<number>): Promise<number> {
  for (;;) {
    const port = 15_000 + Math.floor(Math.random() * 40_000);
    if (taken.has(port) || taken.has(port + BUS_OFFSET)) continue;
    if ((await bindable(port)) && (await bindable(port + BUS_OFFSET))) {
      taken.add(port).add(port + BUS_OFFSET);
      return port;
    }
  }
}

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function launch(port: number, dir: string, nodeTimeoutMs: number): Promise<Watched> {
  const w = spawnWatched('redis-server', [
    '--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--logfile', '',
    '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--cluster-node-timeout', String(nodeTimeoutMs),
    // The other masters' slots stay served while one master is down, as Knocker's docs advise.
    '--cluster-require-full-coverage', 'no',
  ], { outputCap: 128 * 1024 });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await pingRedis(`redis://127.0.0.1:${port}`, 200))) {
    if (!w.alive()) throw new Error(`redis-server on ${port} exited (${describeExit(await w.drained)}):\n${w.output.tail()}`);
    if (Date.now() > deadline) {
      await terminate(w, 'SIGKILL');
      throw new Error(`redis-server on ${port} did not answer PING in time:\n${w.output.tail()}`);
    }
    await sleep(50);
  }
  return w;
}

/** Starts the nodes, joins them with `redis-cli --cluster create`, and waits for cluster_state:ok. */
export async function startCluster(opts: ClusterOptions = {}): Promise<RedisCluster> {
  const masters = opts.masters ?? 3;
  const total = masters * (1 + (opts.replicasPerMaster ?? 1));
  const taken = new Set<number>();
  const started: Array<{ port: number; dir: string; w: Watched }> = [];
  const stopAllNodes = () => Promise.all(started.map(async (n) => {
    await terminate(n.w, 'SIGKILL');
    await rm(n.dir, { recursive: true, force: true });
  }));
  try {
    await Promise.all(Array.from({ length: total }, async () => {
      const port = await freePortPair(taken);
      const dir = await mkdtemp(join(tmpdir(), 'knocker-cluster-'));
      started.push({ port, dir, w: await launch(port, dir, opts.nodeTimeoutMs ?? 2000) });
    }));
  } catch (err) {
    await stopAllNodes();
    throw err;
  }
  const cli = async (port: number, ...args: string[]) => (await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 30_000 })).stdout;
  const nodeTimeoutMs = opts.nodeTimeoutMs ?? 2000;
  const nodes: ClusterNode[] = started.map((n) => ({
    port: n.port,
    address: `127.0.0.1:${n.port}`,
    alive: () => n.w.alive(),
    kill: async (signal = 'SIGKILL') => void (await terminate(n.w, signal)),
    restart: async () => {
      await terminate(n.w, 'SIGKILL');
      n.w = await launch(n.port, n.dir, nodeTimeoutMs);
    },
    output: () => n.w.output.text(),
  }));
  const live = () => nodes.filter((n) => n.alive());

  const mastersNow = async () => {
    const asker = live()[0];
    if (!asker) throw new Error('no node of the cluster is alive');
    const slots = JSON.parse(await cli(asker.port, '--json', 'cluster', 'slots')) as Array<[number, number, [string, number]]>;
    const byPort = new Map<number, Array<[number, number]>>();
    for (const [from, to, [, port]] of slots) byPort.set(port, [...(byPort.get(port) ?? []), [from, to]]);
    return [...byPort].map(([port, ranges]) => ({ node: nodes.find((n) => n.port === port)!, slots: ranges }));
  };
  const cluster: RedisCluster = {
    nodes,
    seeds: nodes.map((n) => n.address).join(','),
    cli,
    masters: mastersNow,
    async masterOf(slot) {
      const found = (await mastersNow()).find((m) => m.slots.some(([a, b]) => slot >= a && slot <= b));
      if (!found) throw new Error(`no master serves slot ${slot}`);
      return found.node;
    },
    async waitHealthy(timeoutMs = READY_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(live().map((n) => cli(n.port, 'cluster', 'info').catch(() => '')));
        const ok = states.every((s) => /cluster_state:ok/.test(s) && /cluster_slots_ok:16384/.test(s));
        const served = ok && (await mastersNow()).every((m) => m.node.alive());
        if (served) return;
        if (Date.now() > deadline) throw new Error(`the cluster is not healthy after ${timeoutMs} ms:\n${states.join('\n')}`);
        await sleep(100);
      }
    },
    stop: async () => void (await stopAllNodes()),
  };
  try {
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => n.address), '--cluster-replicas', String(opts.replicasPerMaster ?? 1), '--cluster-yes'], { timeout: 30_000 });
    await cluster.waitHealthy();
    // Replicas report their master only after the first sync; failover needs them synced.
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while ((await Promise.all(nodes.map((n) => cli(n.port, 'info', 'replication')))).some((r) => /role:slave/.test(r) && !/master_link_status:up/.test(r))) {
      if (Date.now() > deadline) throw new Error('replicas did not sync with their masters in time');
      await sleep(100);
    }
  } catch (err) {
    await stopAllNodes();
    throw err;
  }
  return cluster;
}
