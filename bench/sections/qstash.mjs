// The QStash door next to Knocker's own protocol, in the same run on the same processes:
// publishes accepted per second through /knocker/qstash/v2/publish against native requests to
// the same api, and deliveries per second of messages the worker signs with QStash's JWT
// against native ones (--only qstash).
import { Queue } from 'bullmq';
import { bodyOf, clientHeaders, fill } from '../lib/jobs.mjs';
import { assertClean, closedLoop } from '../lib/load.mjs';
import { assertAlive } from '../lib/procs.mjs';
import { startApi, startWorker } from '../lib/servers.mjs';
import { waitForDeliveries } from '../lib/target.mjs';
import { spreadOf } from '../lib/stats.mjs';
import { waitForWorkers } from './delivery.mjs';
import { pairedRatios, rotate } from './ingest.mjs';

const TOKEN = 'bench-qstash-token-0123456789';
const DOOR_ENV = { QSTASH_TOKENS: TOKEN, QSTASH_CURRENT_SIGNING_KEY: 'sig_bench_current_0123456789ab', QSTASH_NEXT_SIGNING_KEY: 'sig_bench_next_0123456789abcdef' };

export async function qstashSection(ctx) {
  const { cfg } = ctx;
  const procs = [];
  let queue;
  const out = { body: cfg.body, ingest: {}, delivery: {} };
  try {
    ctx.say('qstash: starting an api and a worker with the door on');
    const [api, worker] = await Promise.all([
      startApi(ctx, { name: 'qstash-api', prefix: 'bench-qstash', env: DOOR_ENV }),
      startWorker(ctx, { name: 'qstash-worker', prefix: 'bench-qstash-deliver', env: DOOR_ENV }),
    ]);
    procs.push(api, worker);
    const body = bodyOf(cfg.body);
    const ingest = [
      { key: 'native', url: `${api.url}/hook`, headers: clientHeaders(ctx.target.host) },
      {
        key: 'qstash', url: `${api.url}/knocker/qstash/v2/publish/http://${ctx.target.host}/hook`,
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'user-agent': 'knocker-bench' },
      },
    ];
    const load = (v, seconds) => closedLoop({ url: v.url, headers: v.headers, body, connections: cfg.ingest.connections, seconds });
    for (const v of ingest) await load(v, cfg.ingest.warmSeconds);
    const ingestRuns = { native: [], qstash: [] };
    for (let round = 0; round < cfg.runs; round++) {
      for (const v of rotate(ingest, round)) {
        await ctx.flush();
        const c0 = api.cpuMs();
        const r = await load(v, cfg.ingest.seconds);
        assertAlive(procs);
        assertClean(`qstash ingest ${v.key}`, r);
        ingestRuns[v.key].push({ ...r, cpuUs: ((api.cpuMs() - c0) * 1000) / r.ok });
        ctx.say(`qstash ingest ${v.key} run ${round + 1}: ${Math.round(r.rate)}/s, p50 ${r.p50} ms, CPU ${Math.round(ingestRuns[v.key].at(-1).cpuUs)} µs/request`);
      }
    }
    for (const key of ['native', 'qstash']) out.ingest[key] = spreadOf(ingestRuns[key], ['rate', 'p50', 'p99', 'cpuUs']);
    out.ingest.ratio = pairedRatios(ingestRuns.qstash, ingestRuns.native, 'rate');

    queue = new Queue('deliveries', { connection: ctx.admin, prefix: 'bench-qstash-deliver' });
    await queue.pause();
    await waitForWorkers(queue, 1);
    const drain = async (key, n) => {
      await ctx.target.reset();
      await fill(queue, ctx.target.host, body, n, key === 'qstash' ? { qstash: {} } : {});
      const c0 = worker.cpuMs();
      const resumedUs = Number(process.hrtime.bigint() / 1000n);
      await queue.resume();
      await waitForDeliveries(ctx.target, n, { what: `qstash delivery ${key}`, check: () => assertAlive(procs) });
      await queue.pause();
      const st = await ctx.target.stats(n);
      await queue.clean(0, 1_000_000, 'completed');
      return { rate: n / ((st.lastEndUs - resumedUs) / 1e6), cpuUs: ((worker.cpuMs() - c0) * 1000) / n };
    };
    const kinds = [{ key: 'native' }, { key: 'qstash' }];
    for (const k of kinds) await drain(k.key, cfg.delivery.warmJobs);
    const deliveryRuns = { native: [], qstash: [] };
    for (let round = 0; round < cfg.runs; round++) {
      for (const k of rotate(kinds, round)) {
        const r = await drain(k.key, cfg.delivery.jobs);
        deliveryRuns[k.key].push(r);
        ctx.say(`qstash delivery ${k.key} run ${round + 1}: ${Math.round(r.rate)}/s, CPU ${Math.round(r.cpuUs)} µs/delivery`);
      }
    }
    for (const key of ['native', 'qstash']) out.delivery[key] = spreadOf(deliveryRuns[key], ['rate', 'cpuUs']);
    out.delivery.ratio = pairedRatios(deliveryRuns.qstash, deliveryRuns.native, 'rate');
    return out;
  } finally {
    await queue?.close();
    await Promise.all(procs.map((p) => p.stop()));
  }
}
