// The service as a user runs it: `pnpm start`'s launcher (scripts/start.mjs) with its defaults,
// an api and two workers, pointed at the bench's Redis. Its memory idle and under load, a
// sustained open-loop load through it, and the answers past its capacity: refusals with
// Retry-After, fast, instead of answers that come too late.
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { freePort, freePortRun } from '@knocker/test-kit';
import { bodyOf, clientHeaders } from '../lib/jobs.mjs';
import { openLoop } from '../lib/open-loop.mjs';
import { answers200, assertAlive, childrenOf, cpuMsOf, pssOf, rssOf, startNode } from '../lib/procs.mjs';
import { waitForDeliveries } from '../lib/target.mjs';
import { waitForWorkers } from './delivery.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PREFIX = 'bench-start';

export async function startSection(ctx, { overloadRate }) {
  const { cfg } = ctx;
  const s = cfg.start;
  const port = await freePort();
  // The two workers serve their metrics on METRICS_PORT and METRICS_PORT + 1: both must be free.
  const metricsPort = await freePortRun(2, [port]);
  const queue = new Queue('deliveries', { connection: ctx.admin, prefix: PREFIX });
  ctx.say('pnpm start: launching scripts/start.mjs (api + 2 workers, defaults)');
  // Only what the bench must set: its Redis and free ports, loopback only. Everything else is
  // pnpm start's defaults; the client asks for plain http to the local target.
  const launcher = await startNode({
    name: 'start', entry: `${ROOT}scripts/start.mjs`, cwd: ROOT, logDir: ctx.logDir, readyTimeoutMs: 120_000,
    env: { REDIS_URL: ctx.redisUrl, QUEUE_PREFIX: PREFIX, PORT: String(port), METRICS_PORT: String(metricsPort), BIND_ADDRESS: '127.0.0.1' },
    ready: answers200(`http://127.0.0.1:${port}/hc/_self`),
  });
  try {
    await waitForWorkers(queue, 2, 60_000).catch((err) => {
      throw new Error(`${err.message}; the launcher's last lines:\n${launcher.tail(20)}`);
    });
    const apps = () => childrenOf(launcher.pid);
    const rss = () => apps().reduce((a, pid) => a + rssOf(pid), 0);
    const pss = () => apps().reduce((a, pid) => a + pssOf(pid), 0);
    const cpu = () => apps().reduce((a, pid) => a + cpuMsOf(pid), 0);
    const origin = `http://127.0.0.1:${port}`;
    const headers = clientHeaders(ctx.target.host, { 'knocker-scheme': 'http' });
    const body = bodyOf(cfg.body);
    const out = { processes: apps().length };

    // Idle: just started, and after a first small load has been delivered, settled.
    await sleep(s.settleMs);
    out.startedRss = rss();
    await ctx.target.reset();
    const warm = await openLoop({ origin, headers, body, rate: 200, seconds: 1 });
    await waitForDeliveries(ctx.target, warm.accepted, { what: 'pnpm start warm-up', check: () => assertAlive([launcher]) });
    await sleep(s.settleMs);
    out.idleRss = rss();
    out.idlePss = pss();
    out.launcherRss = rssOf(launcher.pid);
    ctx.say(`pnpm start: ${out.processes} processes, RSS ${(out.startedRss / 2 ** 20).toFixed(0)} MB just started, ${(out.idleRss / 2 ** 20).toFixed(0)} MB idle after a first load (PSS ${(out.idlePss / 2 ** 20).toFixed(0)} MB; launcher ${(out.launcherRss / 2 ** 20).toFixed(0)} MB)`);

    const run = async (rate, seconds, { sampleRss = false } = {}) => {
      await ctx.target.reset();
      let peak = 0;
      let peakPss = 0;
      const sampler = sampleRss ? setInterval(() => {
        peak = Math.max(peak, rss());
        peakPss = Math.max(peakPss, pss());
      }, 500) : undefined;
      const [c0, r0] = [cpu(), await ctx.redisCpuMs()];
      const load = await openLoop({ origin, headers, body, rate, seconds, answerTimeoutMs: 30_000 });
      clearInterval(sampler);
      assertAlive([launcher]);
      if (load.errors > 0) throw new Error(`${rate}/s: ${load.errors} failed of ${load.sent}; ${load.firstErrors.join('; ')}`);
      await waitForDeliveries(ctx.target, load.accepted, { what: `pnpm start ${rate}/s`, check: () => assertAlive([launcher]) });
      const [c1, r1] = [cpu(), await ctx.redisCpuMs()];
      const st = await ctx.target.stats(load.accepted);
      const r = {
        rate, seconds, sent: load.sent, accepted: load.accepted, refused: load.refused, statuses: load.statuses,
        unanswered: load.unanswered + load.timeouts, delivered: st.unique, duplicates: st.duplicates,
        answer: load.answer, answerByStatus: load.answerByStatus, e2e: st.latency, peakRss: peak || NaN, peakPss: peakPss || NaN,
        cpuUsPerAccepted: ((c1 - c0 + (r1 - r0)) * 1000) / Math.max(1, load.accepted),
      };
      const codes = Object.entries(load.statuses).map(([c, n]) => `${n}×${c}`).join(', ');
      ctx.say(`pnpm start ${rate}/s × ${seconds} s: ${codes}, ${r.unanswered} unanswered; answer p50 ${r.answer.p50?.toFixed(1)} p99 ${r.answer.p99?.toFixed(1)} max ${r.answer.max?.toFixed(0)} ms; ${r.delivered} of ${r.accepted} delivered, e2e p99 ${r.e2e.p99?.toFixed(1)} ms`);
      return r;
    };
    out.at500 = await run(500, s.memorySeconds, { sampleRss: true });
    out.sustained = await run(s.rate, s.seconds);
    await sleep(s.settleMs);
    out.overload = await run(overloadRate, s.overloadSeconds);
    out.overload.offered = overloadRate;
    return out;
  } finally {
    await launcher.stop();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close().catch(() => undefined);
  }
}
