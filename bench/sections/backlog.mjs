// Backlog: a target down during an outage. Requests are sent through the api while the target
// refuses connections, so each fails its first attempt and waits, delayed, for its retry. Then
// what the waiting backlog costs (Redis bytes per request at several fill levels, the ingest rate
// as it grows, Knocker's routes and /metrics, Redis CPU of idle workers) and its recovery: the
// target comes back, every retry comes due at once (the bench moves their time forward; BullMQ's
// workers then promote them as they do any retry whose time has come), and the drain is timed next
// to that of a small backlog of the same run, while fresh requests to another, healthy target are
// timed end to end and by stage. Then the flow-control cases (backlog-parked.mjs).
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { freePort } from '@knocker/test-kit';
import { bytesOf, comeDue, watchFresh, watchSlow } from '../lib/backlog-probes.mjs';
import { bodyOf, clientHeaders } from '../lib/jobs.mjs';
import { assertClean, closedLoop } from '../lib/load.mjs';
import { openLoop } from '../lib/open-loop.mjs';
import { assertAlive } from '../lib/procs.mjs';
import { startApi, startWorker } from '../lib/servers.mjs';
import { latencySummary } from '../lib/stats.mjs';
import { startTarget, waitForDeliveries } from '../lib/target.mjs';
import { flowBacklogs } from './backlog-parked.mjs';

const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
// A retry an hour away: nothing comes due by itself while the bench measures the waiting backlog.
const RETRY_WAIT_S = 3600;

export async function backlogSection(ctx) {
  const out = await outage(ctx);
  const { parked, limited, limit, freshRate } = ctx.cfg.backlog;
  out.flow = await flowBacklogs(ctx, { parked, limited, limit, freshRate });
  return out;
}

async function outage(ctx) {
  const { cfg } = ctx;
  const b = cfg.backlog;
  const procs = [];
  let queue;
  const out = { requests: b.requests, baseline: b.baseline, body: cfg.body, freshRate: b.freshRate, slices: [] };
  try {
    const port = await freePort();
    const prefix = 'bench-backlog';
    const env = { ADMIN_API_KEY: ADMIN_KEY, RETRIES_BACKOFF_FACTOR_MAX: String(RETRY_WAIT_S), ...b.env };
    ctx.say(`backlog: ${b.requests} requests to a target that refuses connections, then its recovery`);
    const [api, worker] = await Promise.all([
      startApi(ctx, { name: 'backlog-api', prefix, env }), startWorker(ctx, { name: 'backlog-worker', prefix, env }),
    ]);
    procs.push(api, worker);
    queue = new Queue('deliveries', { connection: ctx.admin, prefix });
    const body = bodyOf(cfg.body);
    const headers = clientHeaders(`127.0.0.1:${port}`, { 'knocker-retries': '3', 'knocker-backoff-factor': String(RETRY_WAIT_S) });
    const fill = async (amount) => {
      const r = await closedLoop({ url: `${api.url}/hook`, headers, body, connections: 50, amount });
      assertAlive(procs);
      assertClean('backlog fill', r);
      return r;
    };
    // Until every request accepted had its first attempt refused and waits for its retry.
    const settled = async (n) => {
      for (;;) {
        const c = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized');
        if (c.wait + c.active + c.prioritized === 0 && c.delayed >= n) return;
        assertAlive(procs);
        await sleep(200);
      }
    };
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await ctx.admin.info('memory'))[1]);

    const recover = async (n, freshSeconds) => {
      const back = await startTarget({ port });
      try {
        await ctx.target.reset();
        const [c0, r0] = [worker.cpuMs(), await ctx.redisCpuMs()];
        const t0 = performance.now();
        const stagesOf = watchFresh(ctx.admin, queue, ctx.target.host);
        const slowOf = await watchSlow(ctx.admin);
        const fresh = openLoop({ origin: api.url, headers: clientHeaders(ctx.target.host), body, rate: b.freshRate, seconds: freshSeconds });
        await comeDue(ctx.admin, queue, RETRY_WAIT_S);
        for (;;) {
          if ((await back.count()).count >= n) break;
          assertAlive(procs);
          await sleep(50);
        }
        const seconds = (performance.now() - t0) / 1000;
        const [c1, r1] = [worker.cpuMs(), await ctx.redisCpuMs()];
        const slow = await slowOf();
        const sent = await fresh;
        await waitForDeliveries(ctx.target, sent.accepted, { what: 'backlog fresh requests', check: () => assertAlive(procs) });
        const st = await ctx.target.stats(sent.accepted);
        const stages = await stagesOf();
        await queue.clean(0, 10_000_000, 'completed');
        return { n, seconds, rate: n / seconds, workerCpuUs: ((c1 - c0) * 1000) / n, redisCpuUs: ((r1 - r0) * 1000) / n, slow, fresh: { sent: sent.sent, accepted: sent.accepted, answer: sent.answer, e2e: st.latency, slowest: st.slowest, stages } };
      } finally {
        await back.stop();
      }
    };

    // A small backlog first: it warms the api and the worker up, and its drain is the reference.
    await fill(b.baseline);
    await settled(b.baseline);
    out.small = await recover(b.baseline, b.baseline / 2000);
    ctx.say(`backlog: ${b.baseline} drained at ${Math.round(out.small.rate)}/s; fresh requests e2e p99 ${out.small.fresh.e2e.p99.toFixed(1)} ms`);

    const base = await usedMemory();
    let filled = 0;
    const per = Math.ceil(b.requests / b.slices);
    for (let i = 0; i < b.slices; i++) {
      const r = await fill(Math.min(per, b.requests - filled));
      filled += r.ok;
      await settled(filled);
      const perRequest = ((await usedMemory()) - base) / filled;
      const slice = { filled, rate: r.rate, p99: r.p99, perRequest, beyondBody: perRequest - cfg.body, rss: { api: api.memory().rss, worker: worker.memory().rss } };
      out.slices.push(slice);
      ctx.say(`backlog: ${filled} waiting, ingest ${Math.round(r.rate)}/s, Redis ${Math.round(slice.beyondBody)} B per request beyond its body`);
    }
    out.ingestRatio = out.slices.at(-1).rate / out.slices[0].rate;
    out.bytes = await bytesOf(ctx.admin, queue, { waiting: filled, growth: (await usedMemory()) - base });

    // Waiting: what the idle workers cost Redis, and how Knocker's own routes answer.
    const [r0, t0] = [await ctx.redisCpuMs(), performance.now()];
    await sleep(b.idleSeconds * 1000);
    out.idleRedisCore = (await ctx.redisCpuMs() - r0) / (performance.now() - t0);
    const one = await fetch(`${api.url}/hook`, { method: 'POST', headers, body });
    const { config: { id } } = await one.json();
    const routes = {
      status: `${api.url}/knocker/status`, inspection: `${api.url}/knocker/requests/${id}`, hosts: `${api.url}/knocker/hosts`,
      metrics: `${api.url}/metrics`, 'worker metrics': `http://127.0.0.1:${worker.port}/metrics`, health: `${api.url}/hc`,
    };
    out.routes = {};
    for (const [name, url] of Object.entries(routes)) {
      const times = [];
      for (let i = 0; i < b.probes; i++) {
        const t = performance.now();
        const res = await fetch(url, { headers: { 'knocker-admin-key': ADMIN_KEY } });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`backlog: GET ${name} answered ${res.status}`);
        times.push(performance.now() - t);
      }
      out.routes[name] = latencySummary(times);
    }
    // The same fresh requests with nothing to drain: what the machine gives them at this load.
    await ctx.target.reset();
    const calm = await openLoop({ origin: api.url, headers: clientHeaders(ctx.target.host), body, rate: b.freshRate, seconds: b.idleSeconds });
    await waitForDeliveries(ctx.target, calm.accepted, { what: 'backlog fresh requests', check: () => assertAlive(procs) });
    out.calm = (await ctx.target.stats(calm.accepted)).latency;
    ctx.say(`backlog: waiting, idle Redis ${(out.idleRedisCore * 100).toFixed(1)}% of a core; route p99s ${Object.entries(out.routes).map(([k, v]) => `${k} ${v.p99.toFixed(0)} ms`).join(', ')}; fresh requests e2e p99 ${out.calm.p99.toFixed(1)} ms`);

    out.large = await recover(filled + 1, Math.min(b.maxFreshSeconds, (filled + 1) / out.small.rate));
    out.drainRatio = out.large.rate / out.small.rate;
    out.rss = { api: api.memory(), worker: worker.memory() };
    ctx.say(`backlog: ${filled + 1} drained at ${Math.round(out.large.rate)}/s (${out.drainRatio.toFixed(2)} × the small backlog's); fresh requests e2e p99 ${out.large.fresh.e2e.p99.toFixed(1)} ms`);
    return out;
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await queue?.close().catch(() => undefined);
  }
}
