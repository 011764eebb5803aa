// Knocker's benchmark suite: ingest, delivery, end to end, cost and (full mode) a sustained
// load, each figure the median of several runs next to baselines measured in the same run.
// It starts everything on 127.0.0.1 itself: a private Redis, a target, the built api and workers.
//   pnpm bench                 full suite (about 25 minutes)
//   pnpm bench --quick         every measurement, short and once (a few minutes, most of it the backlog); CI runs it
//   pnpm bench --soak          pnpm start at 500 requests/s for 10 minutes, its memory each minute
//                              (--soak-minutes N, --soak-rate R for a shorter or lighter one)
//   options: --runs N  --only ingest,batch,delivery,bodies,memory,e2e,sustained,start,qstash,cluster,backlog  --profile  --out FILE
//            --backlog-requests N: the backlog section's fill (1,000,000; 20,000 with --quick)
//            --redis-config 'NAME VALUE …': CONFIG SET on the bench's Redis before anything runs
//            --compare DIR: also run the api and worker built in another checkout (before/after)
//            --with 'NAME=VALUE …': also run the api and worker with these variables
// Exits non-zero when a run is broken (a lost delivery, a refused request, a crashed process),
// never because a figure is slow.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { startRedis } from '@knocker/test-kit';
import { killOnExit } from './lib/procs.mjs';
import { startTarget } from './lib/target.mjs';
import { renderMarkdown, checkTargets } from './lib/report.mjs';
import { ingestSection } from './sections/ingest.mjs';
import { deliverySection } from './sections/delivery.mjs';
import { e2eSection } from './sections/e2e.mjs';
import { startSection } from './sections/start.mjs';
import { clusterSection } from './sections/cluster.mjs';
import { soakSection } from './sections/soak.mjs';
import { batchSection } from './sections/batch.mjs';
import { backlogSection } from './sections/backlog.mjs';
import { qstashSection } from './sections/qstash.mjs';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    quick: { type: 'boolean', default: false },
    runs: { type: 'string' },
    only: { type: 'string' },
    profile: { type: 'boolean', default: false },
    out: { type: 'string' },
    compare: { type: 'string' },
    with: { type: 'string' },
    soak: { type: 'boolean', default: false },
    'soak-minutes': { type: 'string' },
    'soak-rate': { type: 'string' },
    'backlog-requests': { type: 'string' },
    'redis-config': { type: 'string' },
  },
});

const quick = args.quick;
const soak = { minutes: Number(args['soak-minutes'] ?? 10), rate: Number(args['soak-rate'] ?? 500) };
if (!(Number.isInteger(soak.minutes) && soak.minutes >= 1 && soak.minutes <= 600) || !(soak.rate > 0 && soak.rate <= 5_000)) {
  console.error('--soak-minutes: a whole number from 1 to 600; --soak-rate: requests/s, above 0 and at most 5000');
  process.exit(2);
}
const cfg = {
  mode: args.soak ? 'soak' : quick ? 'quick' : 'full',
  runs: Number(args.runs ?? (quick || args.soak ? 1 : 3)),
  body: 200,
  ingest: { connections: 50, seconds: quick ? 1.5 : 10, warmSeconds: quick ? 0.5 : 3 },
  // Requests stored per second through batches of `size`, against single requests (50 connections).
  batch: { size: 100, connections: 50, batchConnections: 4, seconds: quick ? 3 : 10, warmSeconds: quick ? 1 : 3 },
  delivery: { jobs: quick ? 1000 : 8000, warmJobs: quick ? 300 : 8000, scale: quick ? [2] : [2, 4] },
  e2e: { rates: [200, 500], seconds: quick ? 2 : 30, warmSeconds: quick ? 0.5 : 3 },
  sustained: { rate: 1000, seconds: 60, runs: Number(args.runs ?? 3) },
  // pnpm start as a user runs it: memory idle and at 500/s, 1,000/s sustained, then twice the api's capacity.
  start: { rate: 1000, seconds: quick ? 2 : 60, memorySeconds: quick ? 2 : 20, overloadSeconds: quick ? 2 : 10, capacitySeconds: quick ? 1 : 5, settleMs: quick ? 500 : 5000, burst: 500 },
  // Growth is judged from the end of `settleMinutes` on.
  soak: { ...soak, settleMinutes: 2, maxGrowth: 0.1 },
  // A local Redis Cluster of 3 masters, QUEUE_SHARDS 1 then 3, at a fixed rate end to end; in full
  // mode also one shard at a third of the rate, what each master serves when there are three.
  cluster: {
    seconds: quick ? 8 : 30, warmSeconds: quick ? 0 : 3, idleSeconds: quick ? 5 : 20, env: {},
    variants: [
      { key: 'one', shards: 1, rate: quick ? 300 : 1000 },
      { key: 'three', shards: 3, rate: quick ? 300 : 1000 },
      ...(quick ? [] : [{ key: 'one-third', shards: 1, rate: 333 }]),
    ],
  },
  // A target down during an outage: the requests waiting for it, then its recovery (--only backlog).
  backlog: { requests: Number(args['backlog-requests'] ?? (quick ? 20_000 : 1_000_000)), baseline: 8000, slices: quick ? 2 : 5, idleSeconds: quick ? 3 : 20, probes: quick ? 30 : 200, freshRate: 20, maxFreshSeconds: 600, env: {}, parked: quick ? 10_000 : 200_000, limited: quick ? 2000 : 20_000, limit: 8 },
  bodies: [
    { label: '10 KB', size: 10 * 1024, connections: 50, ingestSeconds: quick ? 1 : 5, deliveryJobs: quick ? 500 : 3000 },
    { label: '1 MB', size: 1_000_000, connections: 10, ingestAmount: quick ? 30 : 200, deliveryJobs: quick ? 50 : 300 },
  ],
  memory: [
    { label: '200 B', size: 200, n: quick ? 500 : 20_000 },
    { label: '10 KB', size: 10 * 1024, n: quick ? 200 : 5000 },
  ],
};
const sections = new Set(args.soak ? ['soak'] : (args.only ?? `ingest,batch,delivery,bodies,memory,e2e,start,qstash,cluster,backlog${quick ? '' : ',sustained'}`).split(','));
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
const profileDir = join(resultsDir, 'profiles');
mkdirSync(resultsDir, { recursive: true });
if (args.profile) mkdirSync(profileDir, { recursive: true });

/** Share of the last 60 s in which some runnable task waited for a CPU (Linux PSI), in %. */
const cpuPressure = () => {
  try {
    return Number(/some avg10=[\d.]+ avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))[1]);
  } catch {
    return NaN;
  }
};
const machine = () => ({ loadavg: loadavg().map((l) => Number(l.toFixed(2))), cpuPressure60: cpuPressure() });

// Extra Knocker variants measured beside this build, for before/after comparisons.
const extras = [];
if (args.compare) extras.push({ key: 'compared', label: `built in ${args.compare}`, root: resolve(args.compare) });
if (args.with) extras.push({ key: 'with', label: `with ${args.with}`, env: Object.fromEntries(args.with.trim().split(/\s+/).map((kv) => kv.split(/=(.*)/s).slice(0, 2))) });

const started = Date.now();
const say = (m) => console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${m}`);
const results = {
  mode: cfg.mode, runs: cfg.runs, date: new Date().toISOString(), node: process.version, cpus: cpus().length,
  profiled: args.profile, machine: { start: machine() }, config: cfg, sections: {}, errors: [],
};

const logDir = mkdtempSync(join(tmpdir(), 'knocker-bench-'));
let redis;
let admin;
let target;
let broken = false;
let forgetRedis = () => undefined;
// Interrupted: still stop every process started (the exit hook of lib/procs.mjs).
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));
try {
  say(`${cfg.mode} run, ${cfg.runs} run(s) per figure; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores, CPU pressure ${cpuPressure()}%`);
  redis = await startRedis({ appendonly: false });
  admin = new Redis(redis.url, { maxRetriesPerRequest: null });
  forgetRedis = killOnExit(Number(/process_id:(\d+)/.exec(await admin.info('server'))[1]));
  const settings = args['redis-config']?.trim().split(/\s+/) ?? [];
  for (let i = 0; i + 1 < settings.length; i += 2) await admin.config('SET', settings[i], settings[i + 1]);
  results.redisConfig = args['redis-config'] ?? null;
  const redisDir = redis.dir;
  process.on('exit', () => rmSync(redisDir, { recursive: true, force: true }));
  target = await startTarget();
  const ctx = {
    cfg, say, logDir, target, admin, redisUrl: redis.url, sections, extras,
    flush: () => admin.flushall(),
    /** CPU time Redis has used so far, ms (INFO cpu). */
    redisCpuMs: async () => {
      const info = await admin.info('cpu');
      return 1000 * (Number(/used_cpu_user:([\d.]+)/.exec(info)[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)[1]));
    },
    nodeArgs: (name) => (args.profile ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${name}.cpuprofile`] : []),
  };
  const run = async (name, fn) => {
    const t = Date.now();
    try {
      results.sections[name] = await fn();
      results.sections[name].machine = machine();
      // A section that measured what it could but saw something broken (a refused burst, a lost request) says so.
      for (const error of results.sections[name].broken ?? []) {
        broken = true;
        results.errors.push({ section: name, error });
      }
      say(`${name} done in ${((Date.now() - t) / 1000).toFixed(0)} s${results.sections[name].broken ? ', BROKEN' : ''}`);
    } catch (err) {
      broken = true;
      results.errors.push({ section: name, error: err instanceof Error ? err.message : String(err) });
      say(`${name} FAILED: ${err instanceof Error ? err.stack : String(err)}`);
    }
  };
  if (sections.has('ingest')) await run('ingest', () => ingestSection(ctx));
  if (sections.has('batch')) await run('batch', () => batchSection(ctx));
  if (sections.has('delivery')) await run('delivery', () => deliverySection(ctx));
  if (sections.has('e2e') || sections.has('sustained')) {
    await run('e2e', () => e2eSection(ctx, { rates: sections.has('e2e'), sustained: sections.has('sustained') }));
  }
  if (sections.has('start')) await run('start', () => startSection(ctx));
  if (sections.has('qstash')) await run('qstash', () => qstashSection(ctx));
  // It starts a Redis Cluster of its own.
  if (sections.has('cluster')) await run('cluster', () => clusterSection(ctx));
  if (sections.has('backlog')) await run('backlog', () => backlogSection(ctx));
  if (sections.has('soak')) await run('soak', () => soakSection(ctx));
} catch (err) {
  broken = true;
  results.errors.push({ section: 'setup', error: err instanceof Error ? err.message : String(err) });
  say(`setup FAILED: ${err instanceof Error ? err.stack : String(err)}`);
} finally {
  await target?.stop().catch(() => undefined);
  admin?.disconnect();
  await redis?.stop().catch(() => undefined);
  forgetRedis();
}

results.machine.end = machine();
results.seconds = (Date.now() - started) / 1000;
results.targets = checkTargets(results);
const markdown = renderMarkdown(results);
const outFile = args.out ?? join(resultsDir, args.soak ? 'soak.json' : quick ? 'quick.json' : 'latest.json');
writeFileSync(outFile, `${JSON.stringify(results, null, 2)}\n`);
writeFileSync(outFile.replace(/\.json$/, '.md'), markdown);
console.log(`\n${markdown}`);
say(`results written to ${outFile} and ${outFile.replace(/\.json$/, '.md')}`);
if (broken) {
  console.log(`\nBROKEN RUN: ${results.errors.map((e) => `${e.section}: ${e.error}`).join('\n')}\nprocess logs kept in ${logDir}`);
  process.exit(1);
}
rmSync(logDir, { recursive: true, force: true });
process.exit(0);
