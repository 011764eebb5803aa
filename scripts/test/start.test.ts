// `pnpm start` as a user runs it (node scripts/start.mjs with the same environment), with its
// own private Redis in a temporary directory: a worker and then the api are SIGKILLed under a
// steady load, and every request answered 2xx must still be delivered.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
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

let dataDir: string;
let target: Target;
let start: ChildHandle | undefined;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'knocker-start-'));
  target = await startTarget();
});

afterAll(async () => {
  await start?.kill('SIGINT');
  await target?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Two free consecutive ports for the workers' metrics servers. */
/** Every "<name> started (pid N)" the supervisor logged, by name. */
function started(output: string): Map<string, number[]> {
  const pids = new Map<string, number[]>();
  for (const [, name, pid] of output.matchAll(/\[start\] (\S+) started \(pid (\d+)\)/g)) {
    pids.set(name as string, [...(pids.get(name as string) ?? []), Number(pid)]);
  }
  return pids;
}

/** The distinct nice values of a process's threads (Linux keeps one per thread). */
function niceOf(pid: number): number[] {
  const values = readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
  return [...new Set(values)];
}

const healthy = async (port: number): Promise<boolean> =>
  request(`http://127.0.0.1:${port}/hc/_self`, { timeoutMs: 2_000 }).then((r) => r.status === 200, () => false);

describe('pnpm start', () => {
  it('restarts a SIGKILLed worker and a SIGKILLed api, alone, and delivers every accepted request', async () => {
    const [port, redisPort] = [await freePort(), await freePort()];
    const metricsPort = await freePortRun(2, [port, redisPort]);
    start = await startProcess({
      name: 'pnpm start',
      entry: join(root, 'scripts/start.mjs'),
      env: {
        PORT: String(port), METRICS_PORT: String(metricsPort), REDIS_URL: `redis://127.0.0.1:${redisPort}`, START_REDIS_DIR: dataDir,
        WORKERS: '2', QUEUE_PREFIX: uniquePrefix('start'), BIND_ADDRESS: '127.0.0.1', SCHEME: 'http', LOG_LEVEL: 'warning',
        // A killed worker's deliveries are taken over after the lock lapses: keep that short here.
        LOCK_DURATION_MS: '3000', STALLED_INTERVAL_MS: '1000',
        NODE_OPTIONS: `--import ${preload}`, KT_FAKE_DNS: '{}',
      },
      ready: /\[start\] worker-2 started/,
      // It installs and builds first when needed, on a machine other tests share.
      readyTimeoutMs: 240_000,
    });
    const ports = { api: port, 'worker-1': metricsPort, 'worker-2': metricsPort + 1 };
    for (const p of Object.values(ports)) await waitFor(() => healthy(p), { timeoutMs: 60_000, what: `health on ${p}` });
    const before = started(start.output());
    expect(before.get('redis')).toHaveLength(1);
    // The workers yield the CPU to the api and Redis (WORKER_NICE, 10 by default), every thread of them.
    expect(niceOf(before.get('api')![0]!)).toEqual([0]);
    for (const w of ['worker-1', 'worker-2']) await waitFor(() => String(niceOf(before.get(w)![0]!)) === '10', { timeoutMs: 5_000, what: `${w} at nice 10` });

    let stopLoad = false;
    const load: Promise<LoadTally> = runLoad({
      count: 20_000,
      concurrency: 4,
      id: (i) => `s-${i}`,
      until: () => stopLoad,
      // A steady stream (at most ~4 per 25 ms) rather than as fast as the api answers.
      send: async (i) => {
        await sleep(25);
        return request(`http://127.0.0.1:${port}/hook/${i}`, { method: 'POST', headers: [['Knocker-Host', target.host], ['Knocker-Id', `s-${i}`]], body: 'x', timeoutMs: 5_000 });
      },
    });

    /** SIGKILLs the named process; times until the supervisor started a new one, and until that one is healthy. */
    const killAndTime = async (name: keyof typeof ports): Promise<{ startedMs: number; healthyMs: number }> => {
      const pids = started(start!.output()).get(name)!;
      const killedAt = Date.now();
      process.kill(pids.at(-1)!, 'SIGKILL');
      await waitFor(() => (started(start!.output()).get(name)?.length ?? 0) > pids.length, { timeoutMs: 30_000, intervalMs: 10, what: `${name} restarted` });
      const startedMs = Date.now() - killedAt;
      await waitFor(() => healthy(ports[name]), { timeoutMs: 60_000, what: `${name} healthy again` });
      return { startedMs, healthyMs: Date.now() - killedAt };
    };

    await sleep(2_000);
    const workerBack = await killAndTime('worker-1');
    await sleep(2_000);
    const apiBack = await killAndTime('api');
    await sleep(2_000);
    stopLoad = true;
    const tally = await load;

    const idOf = (r: { headers: Record<string, unknown> }) => r.headers['x-knocker-id'] as string | undefined;
    const result = await waitFor(() => {
      const o = outcome(tally, target.requests, [], idOf);
      return o.lost.length === 0 && o;
    }, { timeoutMs: 90_000, intervalMs: 250, what: 'every accepted request delivered' }).catch(() => outcome(tally, target.requests, [], idOf));

    const after = started(start.output());
    console.log(
      `pnpm start under load: sent ${tally.sent}, accepted ${result.accepted}, delivered ${result.delivered}, lost ${result.lost.length}, ` +
      `duplicates ${result.duplicates}, refused or unanswered ${tally.refused.length} (${JSON.stringify(tally.statuses)}); ` +
      `worker-1 restarted ${workerBack.startedMs} ms and healthy ${workerBack.healthyMs} ms after its SIGKILL, ` +
      `api restarted ${apiBack.startedMs} ms and healthy ${apiBack.healthyMs} ms after its SIGKILL; ` +
      `starts: ${[...after].map(([name, pids]) => `${name} ${pids.length}`).join(', ')}`,
    );
    expect(result.lost).toEqual([]);
    expect(result.accepted).toBeGreaterThan(100);
    expect(Object.fromEntries([...after].map(([name, pids]) => [name, pids.length]))).toEqual({ redis: 1, api: 2, 'worker-1': 2, 'worker-2': 1 });
    expect(start.output()).toMatch(/\[start\] worker-1 exited \(SIGKILL\); restarting it in 250 ms/);
    expect(start.output()).toMatch(/\[start\] api exited \(SIGKILL\); restarting it in 250 ms/);
    // "Within a few seconds" on a quiet machine; the bound allows for a loaded one.
    for (const back of [workerBack, apiBack]) {
      expect(back.startedMs).toBeLessThan(10_000);
      expect(back.healthyMs).toBeLessThan(60_000);
    }

    // Ctrl-C: the apps stop cleanly first, the private Redis last; its data stayed in the temporary directory.
    const exit = await start.kill('SIGINT');
    const stops = [...start.output().matchAll(/\[start\] (\S+) stopped \((.*)\)/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(exit.code).toBe(0);
    expect(stops.slice(0, 3).sort()).toEqual(['api code 0', 'worker-1 code 0', 'worker-2 code 0']);
    expect(stops[3]).toMatch(/^redis /);
    expect(existsSync(join(dataDir, 'appendonlydir'))).toBe(true);
    start = undefined;
  }, 420_000);
});

describe('pnpm start with a bad variable', () => {
  it('stops everything at once with exit 78, naming the variable, and restarts nothing', async () => {
    const port = await freePort();
    const metricsPort = await freePortRun(2, [port]);
    const bad = await startProcess({
      name: 'pnpm start (bad)',
      entry: join(root, 'scripts/start.mjs'),
      env: { PORT: String(port), METRICS_PORT: String(metricsPort), REDIS_URL: 'redis://127.0.0.1:6379', WORKERS: '1', WORKER_CONCURRENCY: 'lots' },
      ready: /\[start\] worker-1 started/,
      readyTimeoutMs: 240_000,
    });
    const exit = await bad.exited;
    expect(exit.code).toBe(78);
    expect(bad.output()).toMatch(/WORKER_CONCURRENCY/);
    expect(bad.output()).toMatch(/exited \(code 78, a configuration error\): stopping everything/);
    expect(bad.output()).not.toMatch(/restarting it/);
  }, 300_000);

  it('refuses a WORKER_NICE outside 0 to 19 before starting anything, naming it', async () => {
    const bad = await startProcess({
      name: 'pnpm start (bad nice)',
      entry: join(root, 'scripts/start.mjs'),
      env: { REDIS_URL: 'redis://127.0.0.1:6379', WORKER_NICE: '-5' },
      ready: /WORKER_NICE/,
    });
    const exit = await bad.exited;
    expect(exit.code).toBe(1);
    expect(bad.output()).toMatch(/WORKER_NICE: expected a whole number from 0 to 19, got "-5"/);
    expect(bad.output()).not.toMatch(/started \(pid/);
  }, 60_000);
});
