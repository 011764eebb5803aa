// Batch ingest: requests stored per second by one api process, sent one per HTTP request and
// sent in batches of 100 (POST <prefix>/batch), in the same run, back to back.
import { bodyOf, clientHeaders } from '../lib/jobs.mjs';
import { assertClean, closedLoop } from '../lib/load.mjs';
import { assertAlive } from '../lib/procs.mjs';
import { startApi } from '../lib/servers.mjs';
import { spreadOf } from '../lib/stats.mjs';
import { pairedRatios, rotate } from './ingest.mjs';

export async function batchSection(ctx) {
  const { cfg } = ctx;
  const { size, connections, batchConnections, seconds, warmSeconds } = cfg.batch;
  const out = { size, connections, batchConnections, seconds, body: cfg.body, variants: {} };
  // A batch is one Redis step per shard for a hundred requests: on a busy machine it may take
  // longer than the default REDIS_TIMEOUT_MS, which would measure the timeout, not the rate.
  const api = await startApi(ctx, { name: 'batch-api', prefix: 'bench-batch', env: { BATCH_MAX: String(size), REDIS_TIMEOUT_MS: '10000' } });
  try {
    const body = bodyOf(cfg.body);
    const headers = clientHeaders(ctx.target.host);
    const item = { method: 'POST', url: '/hook', headers: { 'knocker-host': ctx.target.host, 'content-type': 'application/json', 'user-agent': 'knocker-bench' }, body: body.toString('utf8') };
    const batchBody = Buffer.from(JSON.stringify(Array.from({ length: size }, () => item)));
    const variants = [
      { key: 'single', label: 'one request per HTTP request', per: 1, opts: { url: `${api.url}/hook`, headers, body, connections } },
      { key: 'batch', label: `batches of ${size}`, per: size, opts: { url: `${api.url}/knocker/batch`, headers: { 'content-type': 'application/json' }, body: batchBody, connections: batchConnections } },
    ];
    // Stored requests per second, and the api's and Redis's CPU per stored request (µs).
    const measure = async (v, secs) => {
      const [c0, r0] = [api.cpuMs(), await ctx.redisCpuMs()];
      const r = await closedLoop({ ...v.opts, seconds: secs });
      const [c1, r1] = [api.cpuMs(), await ctx.redisCpuMs()];
      const stored = r.ok * v.per;
      return { ...r, rate: r.rate * v.per, cpuUs: ((c1 - c0) * 1000) / stored, redisCpuUs: ((r1 - r0) * 1000) / stored };
    };
    for (const v of variants) await measure(v, warmSeconds);
    const runs = { single: [], batch: [] };
    for (let round = 0; round < cfg.runs; round++) {
      for (const v of rotate(variants, round)) {
        await ctx.flush();
        const r = await measure(v, seconds);
        assertAlive([api]);
        assertClean(`batch ${v.key}`, r);
        runs[v.key].push(r);
        ctx.say(`batch ${v.key} run ${round + 1}: ${Math.round(r.rate)} requests stored/s, p50 ${r.p50} ms, CPU ${Math.round(r.cpuUs)} µs/request (Redis ${Math.round(r.redisCpuUs)})`);
      }
    }
    for (const v of variants) out.variants[v.key] = { label: v.label, ...spreadOf(runs[v.key], ['rate', 'p50', 'p99', 'cpuUs', 'redisCpuUs']) };
    out.ratio = pairedRatios(runs.batch, runs.single, 'rate');
    await ctx.flush();
    return out;
  } finally {
    await api.stop();
  }
}
