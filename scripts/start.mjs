// `pnpm start`: installs and builds when needed, makes sure a Redis answers at REDIS_URL
// (running a private one when possible) unless REDIS_SENTINELS or REDIS_CLUSTER_NODES say
// where Redis is, then runs the api and WORKERS worker processes
// with the same environment until Ctrl-C, restarting any that crashes (scripts/lib/supervisor.mjs).
// Whatever ends it, a SIGKILL too, ends what it started: the apps stop when their stdin, a
// pipe from it, closes, and the private Redis runs under a tether (scripts/lib/tether.sh) that
// stops it once the supervisor and every app are gone.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from './lib/node-flags.mjs';
import { probeRedis, redisConf } from './lib/private-redis.mjs';
import { createSupervisor } from './lib/supervisor.mjs';

// Paths below are the repository's, wherever the command was started from.
process.chdir(fileURLToPath(new URL('..', import.meta.url)));

// Locally nothing balances load, so Ctrl-C need not wait for one to drain the api. The api
// listens on loopback unless told otherwise: beyond it, without api keys, it would relay to
// private addresses for anyone who reaches it.
const env = { HEALTHCHECK_INTERVAL: '0', BIND_ADDRESS: '127.0.0.1', ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const metricsPort = Number(env.METRICS_PORT ?? 8001);
const redisUrl = new URL(env.REDIS_URL || 'redis://127.0.0.1:6379');
const workers = Number(env.WORKERS ?? 2);
if (!Number.isInteger(workers) || workers < 0 || workers > 64) fail(`WORKERS: expected a whole number from 0 to 64, got ${JSON.stringify(env.WORKERS)}`);
const workerNice = Number(env.WORKER_NICE ?? 10);
if (!Number.isInteger(workerNice) || workerNice < 0 || workerNice > 19) fail(`WORKER_NICE: expected a whole number from 0 to 19, got ${JSON.stringify(env.WORKER_NICE)}`);

run('node', ['scripts/install-if-needed.mjs']);
run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);

// Tells the apps to stop when their stdin closes (packages/health/src/shutdown.ts reads it).
const STOP_ON_STDIN_CLOSE = 'KNOCKER_STOP_ON_STDIN_CLOSE';

// The pipe the private Redis's tether watches, while there is one: every app holds its write
// end too, so the tether sees its end only once they have all exited.
let tetherPipe;

const supervisor = createSupervisor({ launch, log: (line) => console.log(`[start] ${line}`) });

// REDIS_SENTINELS or REDIS_CLUSTER_NODES: the apps find Redis through them, and exit 78 (which
// stops everything) when they lead nowhere. No private Redis then, and REDIS_URL is not read.
const topology = ['REDIS_SENTINELS', 'REDIS_CLUSTER_NODES'].find((name) => (env[name] ?? '').trim() !== '');
if (topology) console.log(`[start] Redis through ${topology}: no private redis-server`);
let answer = topology ? 'ok' : await probeRedis(redisUrl);
if (answer === undefined) {
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(redisUrl.hostname);
  const found = spawnSync('redis-server', ['--version']).status === 0;
  if (!local || !found) {
    fail(`Nothing answers at ${redisUrl.host}. Start Redis there (for example \`apt-get install redis-server\`, or \`docker run -p 6379:6379 redis:7\`) or set REDIS_URL.`);
  }
  const dir = env.START_REDIS_DIR || '.data/redis';
  mkdirSync(dir, { recursive: true });
  console.log(`[start] no Redis at ${redisUrl.host}: running a private redis-server there (AOF on, data in ${dir}/${redisUrl.password || redisUrl.username ? ', with the credentials of REDIS_URL' : ''})`);
  // Stopped last, so the workers can finish their deliveries while it is still there.
  supervisor.add({ name: 'redis', last: true, conf: redisConf(redisUrl, dir) });
  const deadline = Date.now() + 10_000;
  while ((answer = await probeRedis(redisUrl)) === undefined) {
    if (Date.now() > deadline) {
      console.error('[start] the private redis-server did not answer within 10 s');
      process.exit(await supervisor.stop(1));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
if (answer === 'refused') {
  console.error(`[start] the Redis at ${redisUrl.host} refuses the credentials of REDIS_URL (or needs some): set them in REDIS_URL`);
  process.exit(await supervisor.stop(1));
}

supervisor.add({ name: 'api', cmd: process.execPath, args: [...NODE_FLAGS, 'apps/api/dist/main.js'] });
// Each worker serves its metrics on its own port: METRICS_PORT, METRICS_PORT + 1, …
for (let i = 1; i <= workers; i++) {
  supervisor.add({ name: `worker-${i}`, cmd: process.execPath, args: [...NODE_FLAGS, 'apps/worker/dist/main.js'], env: { METRICS_PORT: String(metricsPort + i - 1) }, nice: workerNice });
}

let signals = 0;
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (++signals === 1) console.log('[start] stopping: the apps finish their in-flight work (Ctrl-C again to end them now)');
    else supervisor.force();
    void supervisor.stop(0);
  });
}
process.exit(await supervisor.done);

function launch(spec) {
  return spec.conf === undefined ? launchApp(spec) : launchRedis(spec);
}

function launchRedis({ name, conf }) {
  // Its own process group, so a terminal's Ctrl-C does not stop it before the workers have
  // finished their deliveries; the supervisor ends it last. Its configuration, credentials
  // included, goes in on fd 3, never in the arguments.
  const child = spawn('sh', ['scripts/lib/tether.sh', 'redis-server', '-'], { env, stdio: ['pipe', 'pipe', 'pipe', 'pipe'], detached: true });
  for (const stream of [child.stdin, child.stdio[3]]) stream.on('error', () => undefined);
  child.stdio[3].end(conf);
  tetherPipe = child.stdin;
  prefixOutput(name, child);
  return child;
}

function launchApp({ name, cmd, args, env: extraEnv = {}, nice = 0 }) {
  const holdOpen = tetherPipe && !tetherPipe.destroyed ? [tetherPipe] : [];
  const child = spawn(cmd, args, { env: { ...env, ...extraEnv, [STOP_ON_STDIN_CLOSE]: '1' }, stdio: ['pipe', 'pipe', 'pipe', ...holdOpen] });
  child.stdin?.on('error', () => undefined);
  // On one machine the api and Redis answer clients while the workers work off a backlog that
  // is safe in Redis: past capacity the workers yield the CPU, so answers stay fast (refusals
  // too) and deliveries catch up once the load falls. With CPU to spare the nice value changes
  // nothing. Raising it needs no privilege.
  if (nice > 0 && child.pid !== undefined) lowerPriority(name, child.pid, nice);
  prefixOutput(name, child);
  return child;
}

function prefixOutput(name, child) {
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      // One write per chunk, not per line: at 1,000 requests/s the apps log thousands of lines.
      if (lines.length > 0) process.stdout.write(lines.map((line) => `[${name}] ${line}\n`).join(''));
    });
  }
}

// Linux keeps a nice value per thread: set at once, before node has started, it passes to the
// threads node creates; a second pass a moment later catches any created before it.
function lowerPriority(name, pid, nice) {
  const apply = () => {
    let tids = [pid];
    try {
      tids = readdirSync(`/proc/${pid}/task`).map(Number);
    } catch {
      // no /proc here: the main thread alone
    }
    for (const tid of tids) {
      try {
        os.setPriority(tid, nice);
      } catch (err) {
        if (err.code !== 'ESRCH') console.log(`[start] could not lower the priority of ${name}: ${err.message}`);
        return;
      }
    }
  };
  apply();
  setTimeout(apply, 1000).unref();
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) fail(`\`${cmd} ${args.join(' ')}\` failed`);
}

function fail(message) {
  console.error(`[start] ${message}`);
  process.exit(1);
}
