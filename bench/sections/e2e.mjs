// End to end: one api and two workers under an open-loop load at fixed rates; the target times
// each request from the client's send to its arrival. After the load stops, the backlog must
// drain: every accepted request arrives. Then (full mode) the sustained load.
import { Queue } from 'bullmq';
import { bodyOf, clientHeaders } from '../lib/jobs.mjs';
import { openLoop } from '../lib/open-loop.mjs';
import { assertAlive } from '../lib/procs.mjs';
import { startApi, startWorker } from '../lib/servers.mjs';
import { waitForDeliveries } from '../lib/target.mjs';
import { spreadOf } from '../lib/stats.mjs';
import { waitForWorkers } from './delivery.mjs';

const PREFIX = 'bench-e2e';

export async function e2eSection(ctx, { rates, sustained }) {
  const { cfg } = ctx;
  const procs = [];
  const queue = new Queue('deliveries', { connection: ctx.admin, prefix: PREFIX });
  try {
    ctx.say('end to end: starting one api and two workers');
    procs.push(...(await Promise.all([
      startApi(ctx, { name: 'e2e-api', prefix: PREFIX }),
      startWorker(ctx, { name: 'e2e-worker-1', prefix: PREFIX }),
      startWorker(ctx, { name: 'e2e-worker-2', prefix: PREFIX }),
    ])));
    const [api, ...workers] = procs;
    await waitForWorkers(queue, 2);
    const body = bodyOf(cfg.body);
    const headers = clientHeaders(ctx.target.host);

    const run = async (rate, seconds) => {
      await ctx.target.reset();
      const cpu = () => [api.cpuMs(), workers.reduce((a, w) => a + w.cpuMs(), 0)];
      const [c0, r0] = [cpu(), await ctx.redisCpuMs()];
      let backlogAtStop;
      const load = await openLoop({
        origin: api.url, headers, body, rate, seconds,
        onStop: () => { backlogAtStop = backlog(queue).catch(() => NaN); },
      });
      assertAlive(procs);
      // Failed requests are breakage; refusals (load shed with 503 and Retry-After) are answers,
      // counted; requests still unanswered at the end are slowness.
      if (load.errors > 0) {
        throw new Error(`${rate}/s: ${load.errors} failed of ${load.sent} (${JSON.stringify(load.statuses)}); ${load.firstErrors.join('; ')}`);
      }
      await waitForDeliveries(ctx.target, load.accepted, { what: `${rate}/s`, check: () => assertAlive(procs) });
      const [c1, r1] = [cpu(), await ctx.redisCpuMs()];
      const st = await ctx.target.stats(load.accepted);
      const per = (a, b) => ((a - b) * 1000) / load.accepted;
      const r = {
        apiCpuUs: per(c1[0], c0[0]), workersCpuUs: per(c1[1], c0[1]), redisCpuUs: per(r1, r0),
        rate, seconds, sent: load.sent, accepted: load.accepted, refused: load.refused, unanswered: load.unanswered + load.timeouts, delivered: st.unique, duplicates: st.duplicates,
        offeredRate: load.offeredRate, maxSendLagMs: load.maxLagMs,
        p50: st.latency.p50, p90: st.latency.p90, p99: st.latency.p99, max: st.latency.max,
        answerP50: load.answer.p50, answerP99: load.answer.p99,
        backlogAtStop: await backlogAtStop,
        drainMs: Math.max(0, (st.lastUs - load.stoppedUs) / 1000),
      };
      ctx.say(`e2e ${rate}/s × ${seconds} s: p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, max ${r.max.toFixed(1)} ms, backlog at stop ${r.backlogAtStop}, drained ${r.drainMs.toFixed(0)} ms after`);
      return r;
    };

    await run(cfg.e2e.rates[0], cfg.e2e.warmSeconds);
    const out = { seconds: cfg.e2e.seconds, body: cfg.body, rates: {} };
    const runs = Object.fromEntries(cfg.e2e.rates.map((r) => [r, []]));
    const keys = ['offeredRate', 'p50', 'p90', 'p99', 'max', 'answerP50', 'answerP99', 'backlogAtStop', 'drainMs', 'maxSendLagMs', 'apiCpuUs', 'workersCpuUs', 'redisCpuUs'];
    if (rates) {
      for (let round = 0; round < cfg.runs; round++) {
        for (const rate of cfg.e2e.rates) runs[rate].push(await run(rate, cfg.e2e.seconds));
      }
      for (const rate of cfg.e2e.rates) out.rates[rate] = summarize(runs[rate], keys);
      out.rss = { api: api.memory(), workers: workers.map((w) => w.memory()) };
    }

    if (sustained) {
      const s = cfg.sustained;
      const sruns = [];
      for (let round = 0; round < s.runs; round++) sruns.push(await run(s.rate, s.seconds));
      out.sustained = { rate: s.rate, seconds: s.seconds, ...summarize(sruns, keys) };
      out.sustained.rss = { api: api.memory(), workers: workers.map((w) => w.memory()) };
    }
    return out;
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await queue.close().catch(() => undefined);
  }
}

function summarize(runs, keys) {
  return {
    runs: runs.length,
    sent: runs.reduce((a, r) => a + r.sent, 0),
    unanswered: runs.reduce((a, r) => a + r.unanswered, 0),
    accepted: runs.reduce((a, r) => a + r.accepted, 0),
    refused: runs.reduce((a, r) => a + r.refused, 0),
    delivered: runs.reduce((a, r) => a + r.delivered, 0),
    duplicates: runs.reduce((a, r) => a + r.duplicates, 0),
    ...spreadOf(runs, keys),
  };
}

/** Requests accepted but not yet delivered: waiting, active, delayed or prioritized. */
async function backlog(queue) {
  const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'paused');
  return Object.values(c).reduce((a, b) => a + b, 0);
}
