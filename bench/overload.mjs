// Answers past capacity, for trying a setting before it becomes a default: runs the service
// as `pnpm start` does (scripts/start.mjs) against a private Redis, warms it, then offers
// each rate open loop and prints how the answers came back, what each process and the sender
// took of a core, and how the accepted requests were delivered. Variables in the environment
// reach the apps, so two settings compare as two runs, best interleaved:
//
//   node bench/overload.mjs 3000,6000 5            rates (requests/s), seconds per rate
//   WORKER_NICE=0 node bench/overload.mjs 3000,6000 5
//   MAX_ANSWER_DELAY_MS=50 node bench/overload.mjs 6000 5 1024   (a third argument: connections)
//
// The first rate meets a cold service (256 connections opening at once, code paths not yet
// compiled): lead with a lower one when comparing. Loopback only, bounded: rates × seconds
// requests in all.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort, freePortRun, startRedis } from '@knocker/test-kit';
import { bodyOf, clientHeaders } from './lib/jobs.mjs';
import { openLoop } from './lib/open-loop.mjs';
import { answers200, childrenOf, cpuMsOf, startNode } from './lib/procs.mjs';
import { startTarget, waitForDeliveries } from './lib/target.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const [ratesArg, secondsArg = '5', connectionsArg = '256'] = process.argv.slice(2);
const rates = (ratesArg ?? '').split(',').map(Number);
const [seconds, connections] = [Number(secondsArg), Number(connectionsArg)];
if (!rates.every((r) => Number.isFinite(r) && r > 0 && r <= 50_000) || !(seconds > 0 && seconds <= 60) || !(connections > 0)) {
  console.error('usage: node bench/overload.mjs RATE[,RATE…] [SECONDS (≤ 60)] [CONNECTIONS]');
  process.exit(2);
}

const logDir = mkdtempSync(join(tmpdir(), 'knocker-overload-'));
const redis = await startRedis({ appendonly: false });
const target = await startTarget();
const port = await freePort();
const launcher = await startNode({
  name: 'start', entry: `${ROOT}scripts/start.mjs`, cwd: ROOT, logDir, readyTimeoutMs: 120_000,
  env: { REDIS_URL: redis.url, PORT: String(port), METRICS_PORT: String(await freePortRun(2, [port])), BIND_ADDRESS: '127.0.0.1' },
  ready: answers200(`http://127.0.0.1:${port}/hc/_self`),
});
const origin = `http://127.0.0.1:${port}`;
const headers = clientHeaders(target.host, { 'knocker-scheme': 'http' });
const body = bodyOf(200);
const pct = (ms, s) => `${Math.round(ms / s / 10)}%`;
const times = (a) => (a ? `p50 ${a.p50?.toFixed(1)} p90 ${a.p90?.toFixed(1)} p99 ${a.p99?.toFixed(1)} max ${a.max?.toFixed(0)} ms` : '–');
try {
  await sleep(2000);
  await target.reset();
  const warm = await openLoop({ origin, headers, body, rate: 300, seconds: 1 });
  await waitForDeliveries(target, warm.accepted, { what: 'warm-up' });
  for (const rate of rates) {
    await target.reset();
    const apps = childrenOf(launcher.pid);
    const before = apps.map(cpuMsOf);
    const load = await openLoop({ origin, headers, body, rate, seconds, connections, answerTimeoutMs: 30_000 });
    const took = apps.map((pid, i) => pct(cpuMsOf(pid) - before[i], seconds)).join(' / ');
    console.log(`${rate}/s for ${seconds} s, ${connections} connections: ${JSON.stringify(load.statuses)}, ${load.unanswered + load.timeouts} unanswered`);
    console.log(`  every answer ${times(load.answer)}; refusals ${times(load.answerByStatus['503'] ?? load.answerByStatus['429'])}`);
    console.log(`  CPU of api / workers: ${took}; the sender ${Math.round(load.senderCpu * 100)}% of a core`);
    await waitForDeliveries(target, load.accepted, { what: `${rate}/s` });
    const st = await target.stats(load.accepted);
    console.log(`  delivered ${st.unique} of ${load.accepted} (${st.duplicates} twice), end to end ${times(st.latency)}`);
  }
} finally {
  await launcher.stop();
  await target.stop();
  await redis.stop();
  rmSync(logDir, { recursive: true, force: true });
}
process.exit(0);
