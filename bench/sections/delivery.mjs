// Delivery: deliveries per second by worker processes draining a pre-filled queue to the local
// target, next to two raw BullMQ workers of the same run. Every worker process is started once;
// each run fills its queue while it is paused, then resumes it and times the drain, up to the
// end of the last body at the target, so process start-up and filling are not counted.
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { bodyOf, fill } from '../lib/jobs.mjs';
import { assertAlive } from '../lib/procs.mjs';
import { startWorker, startWorkerBaseline } from '../lib/servers.mjs';
import { waitForDeliveries } from '../lib/target.mjs';
import { spreadOf } from '../lib/stats.mjs';
import { pairedRatios, rotate } from './ingest.mjs';

export async function deliverySection(ctx) {
  const { cfg } = ctx;
  const procs = [];
  const queues = [];
  try {
    ctx.say('delivery: starting the worker processes');
    const knocker = (key, label, processes, x = {}) => ({ key, label, processes, prefix: `bench-${key}`, start: (s, i) => startWorker(ctx, { name: `deliver-${key}-${i}`, prefix: s.prefix, root: x.root, env: x.env }) });
    const raw = (client) => ({ key: client, label: `baseline: BullMQ + ${client} ×1`, processes: 1, prefix: `bench-${client}`, start: (s) => startWorkerBaseline(ctx, { name: `deliver-${client}`, client, prefix: s.prefix }) });
    const scenarios = [knocker('knocker1', 'Knocker worker ×1', 1), raw('got'), raw('undici'), ...cfg.delivery.scale.map((n) => knocker(`knocker${n}`, `Knocker worker ×${n}`, n))];
    for (const x of ctx.extras) scenarios.push(knocker(x.key, `Knocker worker ×1, ${x.label}`, 1, x));
    for (const s of scenarios) {
      s.queue = new Queue('deliveries', { connection: ctx.admin, prefix: s.prefix });
      queues.push(s.queue);
      await s.queue.pause();
    }
    // Two at a time: a 2-core machine starts them no faster all at once.
    const pending = scenarios.flatMap((s) => Array.from({ length: s.processes }, (_, i) => async () => {
      const p = await s.start(s, i + 1);
      procs.push(p);
      (s.procs ??= []).push(p);
    }));
    await Promise.all([0, 1].map(async () => { while (pending.length) await pending.shift()(); }));
    for (const s of scenarios) await waitForWorkers(s.queue, s.processes);

    const drain = async (s, body, n) => {
      await ctx.target.reset();
      await fill(s.queue, ctx.target.host, body, n);
      const cpu = () => s.procs.reduce((a, p) => a + p.cpuMs(), 0);
      const [c0, r0] = [cpu(), await ctx.redisCpuMs()];
      const resumedUs = Number(process.hrtime.bigint() / 1000n);
      await s.queue.resume();
      await waitForDeliveries(ctx.target, n, { what: `delivery ${s.key}`, check: () => assertAlive(procs) });
      const [c1, r1] = [cpu(), await ctx.redisCpuMs()];
      await s.queue.pause();
      const st = await ctx.target.stats(n);
      // Retained completed jobs go, so every run starts from the same Redis state.
      await s.queue.clean(0, 1_000_000, 'completed');
      // From the resume to the end of the last body: the whole drain, large bodies included.
      return { rate: n / ((st.lastEndUs - resumedUs) / 1e6), cpuUs: ((c1 - c0) * 1000) / n, redisCpuUs: ((r1 - r0) * 1000) / n, duplicates: st.duplicates, n };
    };

    const body = bodyOf(cfg.body);
    // Warm-up: the JIT compiles the delivery path during the first few thousand jobs.
    for (const s of scenarios) await drain(s, body, cfg.delivery.warmJobs);
    const runs = Object.fromEntries(scenarios.map((s) => [s.key, []]));
    for (let round = 0; round < cfg.runs; round++) {
      for (const s of rotate(scenarios, round)) {
        const r = await drain(s, body, cfg.delivery.jobs);
        runs[s.key].push(r);
        ctx.say(`delivery ${s.key} run ${round + 1}: ${Math.round(r.rate)}/s, CPU ${Math.round(r.cpuUs)} µs/delivery (Redis ${Math.round(r.redisCpuUs)})${r.duplicates ? `, ${r.duplicates} repeated` : ''}`);
      }
    }
    const out = { jobs: cfg.delivery.jobs, body: cfg.body, concurrency: 50, variants: {} };
    for (const s of scenarios) out.variants[s.key] = { label: s.label, processes: s.processes, ...spreadOf(runs[s.key], ['rate', 'cpuUs', 'redisCpuUs']), duplicates: runs[s.key].reduce((a, r) => a + r.duplicates, 0) };
    out.ratioGot = pairedRatios(runs.knocker1, runs.got, 'rate');
    out.ratioUndici = pairedRatios(runs.knocker1, runs.undici, 'rate');
    out.ratioGotUndici = pairedRatios(runs.got, runs.undici, 'rate');
    for (const x of ctx.extras) out.variants[x.key].thisVsIt = pairedRatios(runs.knocker1, runs[x.key], 'rate');
    for (const n of cfg.delivery.scale) out.variants[`knocker${n}`].scale = pairedRatios(runs[`knocker${n}`], runs.knocker1, 'rate');

    out.bodies = {};
    const trio = scenarios.slice(0, 3);
    for (const b of ctx.sections.has('bodies') ? cfg.bodies : []) {
      const big = bodyOf(b.size);
      const rs = { knocker1: [], got: [], undici: [] };
      for (let round = 0; round < cfg.runs; round++) {
        for (const s of rotate(trio, round)) {
          const r = await drain(s, big, b.deliveryJobs);
          rs[s.key].push(r);
          ctx.say(`delivery ${s.key} ${b.label} run ${round + 1}: ${Math.round(r.rate)}/s`);
        }
      }
      out.bodies[b.label] = { size: b.size, jobs: b.deliveryJobs, ...Object.fromEntries(Object.entries(rs).map(([k, v]) => [k, spreadOf(v, ['rate', 'cpuUs'])])) };
    }
    out.rss = Object.fromEntries(scenarios.slice(0, 3).map((s) => [s.key, s.procs[0].memory()]));
    return out;
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    for (const q of queues) await q.close().catch(() => undefined);
  }
}

/** Until `n` worker connections listen on the queue (BullMQ names its blocking clients). */
export async function waitForWorkers(queue, n, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while ((await queue.getWorkersCount()) < n) {
    if (Date.now() > deadline) throw new Error(`fewer than ${n} workers connected to ${queue.qualifiedName} within ${timeoutMs / 1000} s`);
    await sleep(50);
  }
}
