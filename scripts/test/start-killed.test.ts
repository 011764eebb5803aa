// `pnpm start` with credentials in REDIS_URL, SIGKILLed under a steady load: its private Redis
// takes only those credentials, which show in no process's arguments and no log line; every
// process it started ends on its own, the apps first and Redis last; and the next start
// delivers every request that was answered 2xx.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  freePort, freePortRun, outcome, request, runLoad, sleep, startProcess, startTarget, uniquePrefix, waitFor,
  type ChildHandle, type LoadTally, type Target,
} from '@knocker/test-kit';

const root = fileURLToPath(new URL('../../', import.meta.url));
const preload = new URL('../../packages/test-kit/dist/loopback-preload.js', import.meta.url).href;
// Every byte that needs quoting in redis.conf or escaping in a URL.
const PASSWORD = 'pa ss"wo\\rd#$\'%é';

let dataDir: string;
let target: Target;
const running: ChildHandle[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'knocker-start-killed-'));
  target = await startTarget();
});

afterAll(async () => {
  await Promise.all(running.filter((c) => c.alive()).map((c) => c.kill('SIGINT')));
  await target?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** State and parent of a process from /proc, or undefined once it is gone (or a zombie). */
function stat(pid: number): { state: string; ppid: number; name: string } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const name = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    return state === 'Z' ? undefined : { state: state as string, ppid: Number(ppid), name };
  } catch {
    return undefined;
  }
}

const childrenOf = (pid: number): number[] =>
  readdirSync('/proc').filter((e) => /^\d+$/.test(e)).map(Number).filter((p) => stat(p)?.ppid === pid);

/** The supervisor and everything under it. */
function tree(pid: number): number[] {
  return [pid, ...childrenOf(pid).flatMap(tree)];
}

const argsOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
};

/** PING over raw RESP, after AUTH with the given arguments, if any: PING's answer. */
function ping(port: number, auth: string[] = []): Promise<string> {
  const cmd = (...a: string[]) => `*${a.length}\r\n${a.map((x) => `$${Buffer.byteLength(x)}\r\n${x}\r\n`).join('')}`;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(3_000, () => socket.destroy(new Error('no answer')));
    socket.on('error', reject);
    socket.on('connect', () => socket.write((auth.length ? cmd('AUTH', ...auth) : '') + cmd('PING')));
    socket.on('data', (d) => {
      reply += String(d);
      const lines = reply.split('\r\n');
      if (lines.length > (auth.length ? 2 : 1)) {
        socket.end();
        resolve(lines[auth.length ? 1 : 0] as string);
      }
    });
  });
}

async function start(env: Record<string, string>): Promise<ChildHandle> {
  const child = await startProcess({
    name: 'pnpm start',
    entry: join(root, 'scripts/start.mjs'),
    env: {
      START_REDIS_DIR: dataDir, WORKERS: '2', SCHEME: 'http', LOG_LEVEL: 'info',
      LOCK_DURATION_MS: '3000', STALLED_INTERVAL_MS: '1000', NODE_OPTIONS: `--import ${preload}`, KT_FAKE_DNS: '{}',
      ...env,
    },
    ready: /\[start\] worker-2 started/,
    readyTimeoutMs: 240_000,
  });
  running.push(child);
  return child;
}

describe('pnpm start, SIGKILLed', () => {
  it('ends every process it started, Redis last, and the next start delivers every accepted request', async () => {
    const [port, redisPort] = [await freePort(), await freePort()];
    const metricsPort = await freePortRun(2, [port, redisPort]);
    const prefix = uniquePrefix('killed');
    const url = (auth: string) => `redis://${auth}@127.0.0.1:${redisPort}`;
    const env = { PORT: String(port), METRICS_PORT: String(metricsPort), QUEUE_PREFIX: prefix };
    // BIND_ADDRESS is left to pnpm start: loopback.
    const first = await start({ ...env, REDIS_URL: url(`knocker:${encodeURIComponent(PASSWORD)}`) });
    await waitFor(() => request(`http://127.0.0.1:${port}/hc/_self`, { timeoutMs: 2_000 }).then((r) => r.status === 200, () => false), { timeoutMs: 60_000, what: 'the api healthy' });
    expect(first.output()).toMatch(/listening on http:\/\/127\.0\.0\.1:/);

    // A named user: only its credentials let a client in.
    expect(await ping(redisPort)).toMatch(/^-NOAUTH/);
    expect(await ping(redisPort, ['default', ''])).toMatch(/^-NOAUTH/);
    expect(await ping(redisPort, ['knocker', PASSWORD])).toBe('+PONG');
    const processes = tree(first.pid);
    const names = new Map(processes.map((p) => [p, p === first.pid ? 'supervisor' : (stat(p)?.name ?? '?')]));
    // The supervisor, the tether and its watch (sh), redis-server, the api and two workers (node).
    expect([...names.values()].sort()).toEqual(['node', 'node', 'node', 'redis-server', 'sh', 'sh', 'supervisor']);
    const redisPid = processes.find((p) => names.get(p) === 'redis-server')!;
    const apps = processes.filter((p) => names.get(p) === 'node');
    for (const p of processes) expect(argsOf(p)).not.toContain('pa ss');

    let stopLoad = false;
    const load: Promise<LoadTally> = runLoad({
      count: 20_000, concurrency: 4, id: (i) => `k-${i}`, until: () => stopLoad,
      send: async (i) => {
        await sleep(25);
        return request(`http://127.0.0.1:${port}/hook/${i}`, { method: 'POST', headers: [['Knocker-Host', target.host], ['Knocker-Id', `k-${i}`]], body: 'x', timeoutMs: 5_000 });
      },
    });
    await sleep(3_000);

    // Each process's end, in the order seen.
    const gone: number[] = [];
    const killedAt = Date.now();
    process.kill(first.pid, 'SIGKILL');
    await waitFor(() => {
      for (const p of processes) if (!gone.includes(p) && stat(p) === undefined) gone.push(p);
      return gone.length === processes.length;
    }, { timeoutMs: 90_000, intervalMs: 20, what: 'every process pnpm start started gone' });
    const goneMs = Date.now() - killedAt;
    stopLoad = true;
    const tally = await load;
    expect(gone.indexOf(redisPid)).toBeGreaterThan(Math.max(...apps.map((p) => gone.indexOf(p))));
    expect(first.output()).not.toContain('pa ss');

    // Started again with a password alone: the default user's, on the same data.
    const second = await start({ ...env, REDIS_URL: url(`:${encodeURIComponent(PASSWORD)}`) });
    expect(await ping(redisPort)).toMatch(/^-NOAUTH/);
    expect(await ping(redisPort, [PASSWORD])).toBe('+PONG');
    const idOf = (r: { headers: Record<string, unknown> }) => r.headers['x-knocker-id'] as string | undefined;
    const result = await waitFor(() => {
      const o = outcome(tally, target.requests, [], idOf);
      return o.lost.length === 0 && o;
    }, { timeoutMs: 120_000, intervalMs: 250, what: 'every accepted request delivered' }).catch(() => outcome(tally, target.requests, [], idOf));
    console.log(
      `pnpm start SIGKILLed under load: every process gone ${goneMs} ms after, in the order ${gone.map((p) => names.get(p)).join(', ')}; ` +
      `sent ${tally.sent}, accepted ${result.accepted}, delivered ${result.delivered} after the next start, lost ${result.lost.length}, duplicates ${result.duplicates} (${JSON.stringify(tally.statuses)})`,
    );
    expect(result.lost).toEqual([]);
    expect(result.accepted).toBeGreaterThan(50);
    expect(second.output()).not.toContain('pa ss');
    expect((await second.kill('SIGINT')).code).toBe(0);
  }, 600_000);
});
