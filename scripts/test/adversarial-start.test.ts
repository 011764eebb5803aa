// Hostile targets through the door users take: `pnpm start` (node scripts/start.mjs) with its
// private Redis, an api and two workers at their defaults. A catastrophic Knocker-Catch and
// 100 MB answers at once: both workers must stay healthy, their memory bounded, ordinary
// requests delivered, and every accepted request end.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MAX_CATCH_PATTERNS } from '@knocker/protocol';
import {
  canaryViolations, freePort, freePortRun, lostOf, request, restingRss, settle, sleep, spawnHostile, startCanary, startHostile, startProcess,
  startTarget, uniquePrefix, waitFor, watchProcesses, watchViolations, type ChildHandle, type Hostile, type Target,
} from '@knocker/test-kit';

const root = fileURLToPath(new URL('../../', import.meta.url));
const preload = new URL('../../packages/test-kit/dist/loopback-preload.js', import.meta.url).href;
const ADMIN = 'start-admin-key-0123456789';
const A_CODE = 'a'.repeat(250);
const CATCH = Array.from({ length: MAX_CATCH_PATTERNS }, (_, i) => `${'*a'.repeat(63 - i)}*b`).join(',');

let dataDir: string;
let start: ChildHandle | undefined;
const servers: Array<Target | Hostile> = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'knocker-adversarial-start-'));
});
afterAll(async () => {
  if (start) await stopLauncher(start);
  await Promise.all(servers.map((s) => s.close()));
  await rm(dataDir, { recursive: true, force: true });
});

/** The pid of every "<name> started (pid N)" the launcher logged, by name, latest last. */
function started(output: string): Map<string, number[]> {
  const pids = new Map<string, number[]>();
  for (const [, name, pid] of output.matchAll(/\[start\] (\S+) started \(pid (\d+)\)/g)) pids.set(name!, [...(pids.get(name!) ?? []), Number(pid)]);
  return pids;
}

/**
 * Ctrl-C, as a user stops it; a frozen worker ignores the SIGTERM it passes on, so whatever
 * app is still running after a grace period is SIGKILLed by its pid (checked to still be that
 * app), and the launcher then stops its Redis. Nothing is left running.
 */
async function stopLauncher(launcher: ChildHandle): Promise<void> {
  if (!launcher.alive()) return;
  process.kill(launcher.pid, 'SIGINT');
  const exited = await Promise.race([launcher.exited.then(() => true), sleep(10_000).then(() => false)]);
  if (!exited) {
    for (const [name, pids] of started(launcher.output())) {
      const pid = pids.at(-1)!;
      if (name !== 'redis' && commandOf(pid).includes(`apps/${name.startsWith('worker') ? 'worker' : 'api'}/dist/main.js`)) process.kill(pid, 'SIGKILL');
    }
  }
  await launcher.kill('SIGTERM');
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

const serve = async <T extends Target | Hostile>(s: Promise<T>): Promise<T> => {
  servers.push(await s);
  return servers.at(-1) as T;
};

describe('pnpm start under hostile targets', () => {
  it('keeps both workers healthy and bounded through a catastrophic Knocker-Catch and 100 MB answers, and delivers the canary', async () => {
    const [canary, callbacks] = await Promise.all([serve(startTarget()), serve(startTarget())]);
    const catcher = await serve(startHostile({ kind: 'error-code', code: A_CODE }));
    const huge = await serve(spawnHostile({ kind: 'huge', status: 200, bytes: 100 * 2 ** 20 }));
    const [port, redisPort] = [await freePort(), await freePort()];
    const metricsPort = await freePortRun(2, [port, redisPort]);
    start = await startProcess({
      name: 'pnpm start',
      entry: join(root, 'scripts/start.mjs'),
      env: {
        PORT: String(port), METRICS_PORT: String(metricsPort), REDIS_URL: `redis://127.0.0.1:${redisPort}`, START_REDIS_DIR: dataDir,
        WORKERS: '2', QUEUE_PREFIX: uniquePrefix('adv-start'), BIND_ADDRESS: '127.0.0.1', SCHEME: 'http', LOG_LEVEL: 'warning',
        ADMIN_API_KEY: ADMIN, NODE_OPTIONS: `--import ${preload}`, KT_FAKE_DNS: '{}',
      },
      ready: /\[start\] worker-2 started/,
      // It installs and builds first when needed, on a machine other tests share.
      readyTimeoutMs: 240_000,
    });
    const origin = `http://127.0.0.1:${port}`;
    const workers = [['worker-1', metricsPort], ['worker-2', metricsPort + 1]] as const;
    for (const p of [port, metricsPort, metricsPort + 1]) {
      await waitFor(() => request(`http://127.0.0.1:${p}/hc`, { timeoutMs: 2000 }).then((r) => r.status === 200, () => false), { timeoutMs: 60_000, what: `health on ${p}` });
    }
    const knock = (host: string, id: string, headers: Array<[string, string]> = []) => request(`${origin}/hook`, {
      method: 'POST', body: 'x', timeoutMs: 5000, headers: [['Knocker-Host', host], ['Knocker-Id', id], ...headers],
    });

    // Warm up, so the idle RSS is that of workers that have delivered.
    await Promise.all(Array.from({ length: 50 }, (_, i) => knock(canary.host, `warm-${i}`)));
    await canary.waitForRequests(50, 30_000);
    await sleep(1000);
    const pids = started(start.output());
    const watched = await Promise.all(workers.map(async ([name, p]) => {
      const pid = pids.get(name)!.at(-1)!;
      return { name, pid, healthUrl: `http://127.0.0.1:${p}/hc`, idleRss: await restingRss(pid) };
    }));

    const watch = watchProcesses(watched);
    const stream = startCanary({ send: (id) => knock(canary.host, id), requests: () => canary.requests, idPrefix: 'canary' });
    const failed = `${callbacks.url}/failed`;
    const sent = await Promise.all([
      ...Array.from({ length: 10 }, (_, i) => knock(catcher.host, `catch-${i}`, [['Knocker-Catch', CATCH], ['Knocker-Retries', '1'], ['Knocker-Backoff-Factor', '0'], ['Knocker-Callback', failed]])),
      ...Array.from({ length: 20 }, (_, i) => knock(huge.host, `huge-${i}`, [['Knocker-Timeout', '5'], ['Knocker-Retries', '0'], ['Knocker-Callback', failed]])),
    ]);
    const ids = sent.map((r) => r.json().config?.id as string);
    expect(sent.map((r) => r.status)).toEqual(sent.map(() => 200));
    const outcomes = await settle({ apiUrl: origin, adminKey: ADMIN, ids, callbacks: () => callbacks.requests, timeoutMs: 45_000 });
    const canaryReport = await stream.end(15_000);
    const reports = await watch.stop();
    console.log(
      `pnpm start under attack: ${reports.map((r) => `${r.name} health worst ${r.worstMs} ms (${r.failed}/${r.probes} failed), RSS ${(r.idleRss / 2 ** 20).toFixed(0)} → ${(r.peakRss / 2 ** 20).toFixed(0)} MB${r.killed ? `, KILLED (${r.killed})` : ''}`).join('; ')}; ` +
      `canary ${canaryReport.delivered}/${canaryReport.accepted} (worst ${canaryReport.worstMs} ms); ends ${[...new Set(outcomes.map((o) => `${o.id.split('-')[0]} ${o.state}`))].join(', ')}`,
    );

    expect([...watchViolations(reports), ...canaryViolations(canaryReport, 15_000), ...lostOf(outcomes)]).toEqual([]);
    for (const o of outcomes) {
      const expected = o.id.startsWith('catch') ? { state: 'failed', status: [200, 200] } : { state: 'delivered', status: [200] };
      expect({ id: o.id, state: o.state, status: o.attempts.map((a) => a.status_code) }).toEqual({ id: o.id, ...expected });
    }
    expect(start.output()).not.toMatch(/\[start\] worker-\d exited/);
  }, 420_000);
});
