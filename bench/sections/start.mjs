// The service as a user runs it: `pnpm start`'s launcher (scripts/start.mjs) with its defaults,
// an api and two workers, pointed at the bench's Redis. A burst at once against it just
// started, its memory idle and under load, a sustained open-loop load through it, and the
// answers past its capacity: refusals with Retry-After, fast, instead of answers that come too late.
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { freePort, freePortRun } from '@knocker/test-kit';
import { bodyOf, clientHeaders } from '../lib/jobs.mjs';
import { burst, openLoop } from '../lib/open-loop.mjs';
import { answers200, assertAlive, childrenOf, cpuMsOf, pssOf, rssOf, startNode } from '../lib/procs.mjs';
import { waitForDeliveries } from '../lib/target.mjs';
import { waitForWorkers } from './delivery.mjs';
import { assertClean, closedLoop } from '../lib/load.mjs';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PREFIX = 'bench-start';

/**
 * Runs scripts/start.mjs against the bench's Redis under `prefix`, on free loopback ports, and
 * waits until its api answers and both workers consume. `apps()` lists the processes it runs.
 */
export async function launchStart(ctx, prefix) {
  const port = await freePort();
  // The two workers serve their metrics on METRICS_PORT and METRICS_PORT + 1: both must be free.
  const metricsPort = await freePortRun(2, [port]);
  const queue = new Queue('deliveries', { connection: ctx.admin, prefix });
  ctx.say('pnpm start: launching scripts/start.mjs (api + 2 workers, defaults)');
  // Only what the bench must set: its Redis and free ports. Everything else is pnpm start's
  // defaults (loopback only); the client asks for plain http to the local target.
  const launcher = await startNode({
    name: `start-${prefix}`, entry: `${ROOT}scripts/start.mjs`, cwd: ROOT, logDir: ctx.logDir, readyTimeoutMs: 120_000,
    env: { REDIS_URL: ctx.redisUrl, QUEUE_PREFIX: prefix, PORT: String(port), METRICS_PORT: String(metricsPort) },
    ready: answers200(`http://127.0.0.1:${port}/hc/_self`),
  });
  const close = async () => {
    await launcher.stop();
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close().catch(() => undefined);
  };
  try {
    await waitForWorkers(queue, 2, 60_000);
  } catch (err) {
    await close();
    throw new Error(`${err.message}; the launcher's last lines:\n${launcher.tail(20)}`);
  }
  return { launcher, queue, origin: `http://127.0.0.1:${port}`, apps: () => childrenOf(launcher.pid), close };
}

export async function startSection(ctx) {
  const { cfg } = ctx;
  const s = cfg.start;
  const { launcher, queue, origin, apps, close } = await launchStart(ctx, PREFIX);
  try {
    const rss = () => apps().reduce((a, pid) => a + rssOf(pid), 0);
    const pss = () => apps().reduce((a, pid) => a + pssOf(pid), 0);
    const cpu = () => apps().reduce((a, pid) => a + cpuMsOf(pid), 0);
    const headers = clientHeaders(ctx.target.host, { 'knocker-scheme': 'http' });
    const body = bodyOf(cfg.body);
    const out = { processes: apps().length };

    // Idle: just started, and after a first small load has been delivered, settled.
    await sleep(s.settleMs);
    out.startedRss = rss();

    // A burst into the service just started, its code not yet compiled: hundreds of connections
    // opening at once and a request on each. It goes through in a second or so, so it must be
    // taken whole: load is shed when a queue stands, not when a burst passes.
    await ctx.target.reset();
    const b = await burst({ origin, headers, body, count: s.burst });
    out.burst = b;
    const codes = Object.entries(b.statuses).map(([c, n]) => `${n}×${c}`).join(', ');
    ctx.say(`pnpm start just started, ${s.burst} requests at once: ${codes}; the last answered ${b.answer.max?.toFixed(0)} ms after they left`);
    if (b.accepted < s.burst) {
      out.broken = [`a burst of ${s.burst} requests at once into pnpm start just started: ${b.accepted} accepted (${codes}); ${[...b.firstRefusals, ...b.firstErrors].join('; ')}`];
    }
    await waitForDeliveries(ctx.target, b.accepted, { what: 'pnpm start burst', check: () => assertAlive([launcher]) });

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
        cpuUsPerAccepted: ((c1 - c0 + (r1 - r0)) * 1000) / Math.max(1, load.accepted), senderCpu: load.senderCpu,
      };
      const codes = Object.entries(load.statuses).map(([c, n]) => `${n}×${c}`).join(', ');
      ctx.say(`pnpm start ${rate}/s × ${seconds} s (the sender took ${Math.round(load.senderCpu * 100)}% of a core): ${codes}, ${r.unanswered} unanswered; answer p50 ${r.answer.p50?.toFixed(1)} p99 ${r.answer.p99?.toFixed(1)} max ${r.answer.max?.toFixed(0)} ms; ${r.delivered} of ${r.accepted} delivered, e2e p99 ${r.e2e.p99?.toFixed(1)} ms`);
      return r;
    };
    out.at500 = await run(500, s.memorySeconds, { sampleRss: true });
    out.sustained = await run(s.rate, s.seconds);

    // Its capacities as it runs: how fast the api inside pnpm start answers, its workers
    // delivering beside it on the same cores (closed loop, 50 connections, as the ingest
    // section), and how fast the whole carries requests end to end (the probe's requests over
    // the time until the last is delivered). Then twice each, open loop: past capacity, where
    // answers must stay fast.
    await sleep(s.settleMs);
    const t0 = performance.now();
    const probe = await closedLoop({ url: `${origin}/hook`, headers, body, connections: 50, seconds: s.capacitySeconds });
    assertClean('pnpm start capacity', probe);
    await drained(queue);
    out.capacity = { answers: probe.rate, endToEnd: probe.ok / ((performance.now() - t0) / 1000) };
    ctx.say(`pnpm start capacity: answers ${Math.round(out.capacity.answers)}/s closed loop (50 connections, p99 ${probe.p99} ms), end to end ${Math.round(out.capacity.endToEnd)}/s`);
    for (const [key, rate] of [['overload', 2 * out.capacity.endToEnd], ['overloadAnswers', 2 * out.capacity.answers]]) {
      await sleep(s.settleMs);
      out[key] = await run(Math.round(rate), s.overloadSeconds);
      out[key].offered = Math.round(rate);
    }
    return out;
  } finally {
    await close();
  }
}

/** Until the queue holds nothing waiting or under way (the capacity probe's requests carry no sequence number). */
async function drained(queue, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const c = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
    if (c.wait + c.active + c.delayed + c.prioritized === 0) return;
    if (Date.now() > deadline) throw new Error(`pnpm start: the capacity probe's backlog not drained within ${timeoutMs / 1000} s (${JSON.stringify(c)})`);
    await sleep(200);
  }
}
