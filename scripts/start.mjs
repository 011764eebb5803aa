// `pnpm start`: installs and builds when needed, makes sure a Redis answers at REDIS_URL
// (running a private one when possible), then runs the api and WORKERS worker processes
// with the same environment until Ctrl-C, restarting any that crashes (scripts/lib/supervisor.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from './lib/node-flags.mjs';
import { createSupervisor } from './lib/supervisor.mjs';

// Paths below are the repository's, wherever the command was started from.
process.chdir(fileURLToPath(new URL('..', import.meta.url)));

// Locally nothing balances load, so Ctrl-C need not wait for one to drain the api.
const env = { HEALTHCHECK_INTERVAL: '0', ...process.env, TURBO_TELEMETRY_DISABLED: '1' };
const metricsPort = Number(env.METRICS_PORT ?? 8001);
const redisUrl = new URL(env.REDIS_URL ?? 'redis://127.0.0.1:6379');
const workers = Number(env.WORKERS ?? 2);
if (!Number.isInteger(workers) || workers < 0 || workers > 64) fail(`WORKERS: expected a whole number from 0 to 64, got ${JSON.stringify(env.WORKERS)}`);
const workerNice = Number(env.WORKER_NICE ?? 10);
if (!Number.isInteger(workerNice) || workerNice < 0 || workerNice > 19) fail(`WORKER_NICE: expected a whole number from 0 to 19, got ${JSON.stringify(env.WORKER_NICE)}`);

run('node', ['scripts/install-if-needed.mjs']);
run('pnpm', ['exec', 'turbo', 'run', 'build', '--output-logs=errors-only']);

const supervisor = createSupervisor({ launch, log: (line) => console.log(`[start] ${line}`) });

if (!(await ping(redisUrl))) {
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(redisUrl.hostname);
  const found = spawnSync('redis-server', ['--version']).status === 0;
  if (!local || !found) {
    fail(`Nothing answers at ${redisUrl.host}. Start Redis there (for example \`apt-get install redis-server\`, or \`docker run -p 6379:6379 redis:7\`) or set REDIS_URL.`);
  }
  const dir = env.START_REDIS_DIR || '.data/redis';
  mkdirSync(dir, { recursive: true });
  console.log(`[start] no Redis at ${redisUrl.host}: running a private redis-server there (AOF on, data in ${dir}/)`);
  // Stopped last, so the workers can finish their deliveries while it is still there.
  supervisor.add({ name: 'redis', last: true, cmd: 'redis-server', args: ['--bind', '127.0.0.1', '--port', redisUrl.port || '6379', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '', '--maxmemory-policy', 'noeviction'] });
  const deadline = Date.now() + 10_000;
  while (!(await ping(redisUrl))) {
    if (Date.now() > deadline) {
      console.error('[start] the private redis-server did not answer within 10 s');
      process.exit(await supervisor.stop(1));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
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

function launch({ name, cmd, args, env: extraEnv = {}, nice = 0 }) {
  // Redis gets its own process group so a terminal's Ctrl-C does not stop it before the
  // workers have finished their deliveries; the supervisor ends it last.
  const child = spawn(cmd, args, { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'], detached: name === 'redis' });
  // On one machine the api and Redis answer clients while the workers work off a backlog that
  // is safe in Redis: past capacity the workers yield the CPU, so answers stay fast (refusals
  // too) and deliveries catch up once the load falls. With CPU to spare the nice value changes
  // nothing. Raising it needs no privilege.
  if (nice > 0 && child.pid !== undefined) lowerPriority(name, child.pid, nice);
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream.on('data', (chunk) => {
      const lines = (partial + chunk).split('\n');
      partial = lines.pop() ?? '';
      // One write per chunk, not per line: at 1,000 requests/s the apps log thousands of lines.
      if (lines.length > 0) process.stdout.write(lines.map((line) => `[${name}] ${line}\n`).join(''));
    });
  }
  return child;
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

function ping(url) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 6379) });
    const done = (ok) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(500, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write(url.password ? `AUTH ${decodeURIComponent(url.password)}\r\nPING\r\n` : 'PING\r\n'));
    socket.on('data', (d) => done(/\+PONG/.test(String(d)) || /^\+OK/.test(String(d))));
  });
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', env });
  if (r.status !== 0) fail(`\`${cmd} ${args.join(' ')}\` failed`);
}

function fail(message) {
  console.error(`[start] ${message}`);
  process.exit(1);
}
