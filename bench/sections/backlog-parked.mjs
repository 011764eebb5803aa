// The backlog section's flow-control cases, on an api and a worker of their own with flow
// control on. Parked: an operator pauses a target's flow key, requests pile up, parked on their
// first attempt, and the key is resumed while fresh requests go to another, healthy target.
// Limited: a target with a concurrency limit is down, its requests wait for their retries, it
// comes back and every retry comes due at once: the most requests it had at once is the figure.
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { freePort } from '@knocker/test-kit';
import { comeDue, watchFresh } from '../lib/backlog-probes.mjs';
import { bodyOf, clientHeaders } from '../lib/jobs.mjs';
import { assertClean, closedLoop } from '../lib/load.mjs';
import { openLoop } from '../lib/open-loop.mjs';
import { assertAlive } from '../lib/procs.mjs';
import { startApi, startWorker } from '../lib/servers.mjs';
import { startTarget, waitForDeliveries } from '../lib/target.mjs';

const ADMIN_KEY = 'bench-admin-key-0123456789abcdef';
const RETRY_WAIT_S = 3600;
// The limited target holds each answer this long, so that requests overlap at it.
const LIMITED_ANSWER_MS = 5;

export async function flowBacklogs(ctx, { parked: n, limited: m, limit, freshRate }) {
  const { cfg } = ctx;
  const procs = [];
  const targets = [];
  let queue;
  try {
    const [parkedTarget, limitedPort] = [await startTarget(), await freePort()];
    targets.push(parkedTarget);
    const limitedHost = `127.0.0.1:${limitedPort}`;
    const prefix = 'bench-backlog-flow';
    const env = {
      ADMIN_API_KEY: ADMIN_KEY, RETRIES_BACKOFF_FACTOR_MAX: String(RETRY_WAIT_S),
      // Flow control on, the parked key without a limit: its whole backlog wakes at once.
      HOST_LIMITS: `${parkedTarget.host} concurrency=0; ${limitedHost} concurrency=${limit}`,
    };
    const [api, worker] = await Promise.all([
      startApi(ctx, { name: 'backlog-flow-api', prefix, env }), startWorker(ctx, { name: 'backlog-flow-worker', prefix, env }),
    ]);
    procs.push(api, worker);
    queue = new Queue('deliveries', { connection: ctx.admin, prefix });
    const body = bodyOf(cfg.body);
    const admin = async (method, path) => {
      const res = await fetch(`${api.url}/knocker/${path}`, { method, headers: { 'knocker-admin-key': ADMIN_KEY } });
      if (res.status !== 200) throw new Error(`backlog: ${method} ${path} answered ${res.status}`);
      return res.json();
    };
    const fill = async (headers, amount) => {
      const r = await closedLoop({ url: `${api.url}/hook`, headers, body, connections: 50, amount });
      assertAlive(procs);
      assertClean('backlog fill', r);
      return r;
    };
    const until = async (done) => {
      while (!(await done())) {
        assertAlive(procs);
        await sleep(200);
      }
    };
    const idle = async () => {
      const c = await queue.getJobCounts('wait', 'active', 'prioritized');
      return c.wait + c.active + c.prioritized === 0;
    };
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await ctx.admin.info('memory'))[1]);
    // Fresh requests to the healthy target while `drain` runs, timed end to end and by stage.
    const withFresh = async (seconds, drain) => {
      await ctx.target.reset();
      const stagesOf = watchFresh(ctx.admin, queue, ctx.target.host);
      const fresh = openLoop({ origin: api.url, headers: clientHeaders(ctx.target.host), body, rate: freshRate, seconds });
      const t0 = performance.now();
      await drain();
      const drainSeconds = (performance.now() - t0) / 1000;
      const sent = await fresh;
      await waitForDeliveries(ctx.target, sent.accepted, { what: 'backlog fresh requests', check: () => assertAlive(procs) });
      const { latency: e2e, slowest } = await ctx.target.stats(sent.accepted);
      return { seconds: drainSeconds, fresh: { sent: sent.sent, accepted: sent.accepted, answer: sent.answer, e2e, slowest, stages: await stagesOf() } };
    };
    const arrived = (t, count) => until(async () => (await t.count()).count >= count);
    const out = { limit };

    // Parked behind a paused key, then resumed.
    const key = encodeURIComponent(parkedTarget.host);
    await admin('POST', `hosts/${key}/pause`);
    const base = await usedMemory();
    const filled = await fill(clientHeaders(parkedTarget.host), n);
    await until(async () => (await idle()) && (await admin('GET', 'hosts')).hosts.find((h) => h.key === parkedTarget.host)?.waiting >= n);
    const perRequest = ((await usedMemory()) - base) / n;
    const drain = await withFresh(Math.max(2, n / 4000), async () => {
      await admin('POST', `hosts/${key}/resume`);
      await arrived(parkedTarget, n);
    });
    out.parked = { n, ingest: filled.rate, beyondBody: perRequest - cfg.body, ...drain, rate: n / drain.seconds };
    ctx.say(`backlog: ${n} parked behind a paused key, ${Math.round(out.parked.beyondBody)} B each beyond the body; resumed, drained at ${Math.round(out.parked.rate)}/s; fresh requests e2e p99 ${drain.fresh.e2e.p99.toFixed(1)} ms`);
    await queue.clean(0, 10_000_000, 'completed');

    // A limited target down, then back with every retry due at once.
    await fill(clientHeaders(limitedHost, { 'knocker-retries': '3', 'knocker-backoff-factor': String(RETRY_WAIT_S) }), m);
    const quiet = async () => {
      const view = (await admin('GET', 'hosts')).hosts.find((h) => h.key === limitedHost);
      return !view || (view.waiting === 0 && view.in_flight === 0);
    };
    // Every first attempt made (some waited for a slot), each request waiting for its retry.
    await until(async () => (await idle()) && (await quiet()) && (await queue.getDelayedCount()) >= m);
    const back = await startTarget({ port: limitedPort, delayMs: LIMITED_ANSWER_MS });
    targets.push(back);
    const stampede = await withFresh(Math.max(2, m / 1000), async () => {
      await comeDue(ctx.admin, queue, RETRY_WAIT_S);
      await arrived(back, m);
    });
    const { maxInFlight } = await back.stats();
    out.limited = { n: m, maxInFlight, ...stampede, rate: m / stampede.seconds };
    ctx.say(`backlog: ${m} retries due at once to a target limited to ${limit} at once: at most ${maxInFlight} at once, ${Math.round(out.limited.rate)}/s; fresh requests e2e p99 ${stampede.fresh.e2e.p99.toFixed(1)} ms`);
    return out;
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await Promise.all(targets.map((t) => t.stop()));
    await queue?.close().catch(() => undefined);
  }
}
