// Ingest: requests accepted per second by one process at a fixed concurrency, for Knocker's api
// and two baselines of the same run; then what a waiting request costs in Redis, and the same
// rates with bigger bodies.
import { setTimeout as sleep } from 'node:timers/promises';
import { clientHeaders, bodyOf } from '../lib/jobs.mjs';
import { assertClean, closedLoop } from '../lib/load.mjs';
import { assertAlive } from '../lib/procs.mjs';
import { startApi, startIngestBaseline } from '../lib/servers.mjs';
import { spreadOf } from '../lib/stats.mjs';

export async function ingestSection(ctx) {
  const { cfg } = ctx;
  const servers = [];
  const out = { connections: cfg.ingest.connections, seconds: cfg.ingest.seconds, body: cfg.body, variants: {} };
  try {
    ctx.say('ingest: starting the api and the two baselines');
    const [api, express, http] = await Promise.all([
      startApi(ctx, { name: 'ingest-api', prefix: 'bench-ingest' }),
      startIngestBaseline(ctx, { name: 'ingest-express', kind: 'express', prefix: 'bench-express' }),
      startIngestBaseline(ctx, { name: 'ingest-http', kind: 'http', prefix: 'bench-http' }),
    ]);
    servers.push(api, express, http);
    const variants = [
      { key: 'api', label: 'Knocker api', server: api },
      { key: 'express', label: 'baseline: express 5 + queue.add', server: express },
      { key: 'http', label: 'baseline: node:http + queue.add', server: http },
    ];
    for (const x of ctx.extras) {
      const server = await startApi(ctx, { name: `ingest-api-${x.key}`, prefix: `bench-${x.key}`, root: x.root, env: x.env });
      servers.push(server);
      variants.push({ key: x.key, label: `Knocker api, ${x.label}`, server, extra: true });
    }
    const body = bodyOf(cfg.body);
    const headers = clientHeaders(ctx.target.host);
    const load = (v, b, opts) => closedLoop({ url: `${v.server.url}/hook`, headers, body: b, ...opts });
    // The same, with the CPU time the server and Redis spent per accepted request (µs): a cost
    // that other load on the machine disturbs much less than the rate.
    const measure = async (v, b, opts) => {
      const [c0, r0] = [v.server.cpuMs(), await ctx.redisCpuMs()];
      const r = await load(v, b, opts);
      const [c1, r1] = [v.server.cpuMs(), await ctx.redisCpuMs()];
      return { ...r, cpuUs: ((c1 - c0) * 1000) / r.ok, redisCpuUs: ((r1 - r0) * 1000) / r.ok };
    };

    for (const v of variants) await load(v, body, { connections: cfg.ingest.connections, seconds: cfg.ingest.warmSeconds });
    const runs = Object.fromEntries(variants.map((v) => [v.key, []]));
    for (let round = 0; round < cfg.runs; round++) {
      for (const v of rotate(variants, round)) {
        await ctx.flush();
        const r = await measure(v, body, { connections: cfg.ingest.connections, seconds: cfg.ingest.seconds });
        assertAlive(servers);
        assertClean(`ingest ${v.key}`, r);
        runs[v.key].push(r);
        ctx.say(`ingest ${v.key} run ${round + 1}: ${Math.round(r.rate)}/s, p50 ${r.p50} ms, p99 ${r.p99} ms, CPU ${Math.round(r.cpuUs)} µs/request (Redis ${Math.round(r.redisCpuUs)})`);
      }
    }
    for (const v of variants) out.variants[v.key] = { label: v.label, ...spreadOf(runs[v.key], ['rate', 'p50', 'p99', 'cpuUs', 'redisCpuUs']) };
    out.ratio = pairedRatios(runs.api, runs.express, 'rate');
    out.ratioHttp = pairedRatios(runs.api, runs.http, 'rate');
    for (const x of ctx.extras) out.variants[x.key].thisVsIt = pairedRatios(runs.api, runs[x.key], 'rate');

    // Bigger bodies: Knocker's api next to the express baseline.
    out.bodies = {};
    for (const b of ctx.sections.has('bodies') ? cfg.bodies : []) {
      const big = bodyOf(b.size);
      const rs = { api: [], express: [] };
      const pair = variants.slice(0, 2);
      for (const v of pair) await load(v, big, { connections: b.connections, amount: b.connections * 2 });
      for (let round = 0; round < cfg.runs; round++) {
        for (const v of rotate(pair, round)) {
          await ctx.flush();
          const r = await measure(v, big, { connections: b.connections, ...(b.ingestAmount ? { amount: b.ingestAmount } : { seconds: b.ingestSeconds }) });
          assertAlive(servers);
          assertClean(`ingest ${v.key} ${b.label}`, r);
          rs[v.key].push(r);
          ctx.say(`ingest ${v.key} ${b.label} run ${round + 1}: ${Math.round(r.rate)}/s`);
        }
      }
      out.bodies[b.label] = { size: b.size, connections: b.connections, api: spreadOf(rs.api, ['rate', 'p50', 'p99', 'cpuUs']), express: spreadOf(rs.express, ['rate', 'p50', 'p99', 'cpuUs']) };
    }

    // Redis bytes per waiting request, with no worker: used_memory before and after n requests.
    out.memory = {};
    for (const m of ctx.sections.has('memory') ? cfg.memory : []) {
      const b = bodyOf(m.size);
      out.memory[m.label] = {};
      for (const v of variants.slice(0, 2)) {
        await ctx.flush();
        const warm = await load(v, b, { connections: 10, amount: 100 });
        assertClean('memory warm-up', warm);
        const before = await usedMemory(ctx.admin);
        const r = await load(v, b, { connections: cfg.ingest.connections, amount: m.n });
        assertClean(`memory ${v.key}`, r);
        const after = await usedMemory(ctx.admin);
        const jobHash = await sampleJobHash(ctx.admin, v.server.prefix);
        // Where the rest goes: the wait list holds each id; BullMQ's event stream (capped at
        // 10,000 entries, so bounded whatever the backlog) holds ids and names.
        const share = async (key) => Number(await ctx.admin.memory('USAGE', `${v.server.prefix}:deliveries:${key}`, 'SAMPLES', '0')) / m.n;
        const [waitList, events] = [await share('wait'), await share('events')];
        const perRequest = (after - before) / m.n;
        out.memory[m.label][v.key] = { n: m.n, body: m.size, perRequest, beyondBody: perRequest - m.size, jobHash, waitList, events };
        ctx.say(`memory ${v.key} ${m.label}: ${Math.round(perRequest)} B per request (${Math.round(perRequest - m.size)} beyond the body), job hash ${Math.round(jobHash)} B, wait list ${Math.round(waitList)} B, events ${Math.round(events)} B`);
      }
    }
    await ctx.flush();

    out.rss = {};
    for (const v of variants) out.rss[v.key] = v.server.memory();
    return out;
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

export function rotate(list, k) {
  const i = k % list.length;
  return [...list.slice(i), ...list.slice(0, i)];
}

/** Per-round ratio a/b of a key: rounds are measured back to back, so drift cancels. */
export function pairedRatios(a, b, key) {
  return spreadOf(a.map((r, i) => ({ x: r[key] / b[i][key] })), ['x']).x;
}

async function usedMemory(redis) {
  // Let Redis settle: lazy frees and client buffers.
  await sleep(200);
  const info = await redis.info('memory');
  return Number(/used_memory:(\d+)/.exec(info)[1]);
}

/** Average MEMORY USAGE of up to 50 job hashes under the prefix. */
async function sampleJobHash(redis, prefix) {
  let cursor = '0';
  const keys = [];
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:deliveries:*`, 'COUNT', 1000);
    cursor = next;
    for (const k of batch) if (/:deliveries:[^:]+$/.test(k) && !/:(wait|events|meta|id|marker|active|completed|failed|delayed|paused|prioritized|stalled-check|pc)$/.test(k)) keys.push(k);
  } while (cursor !== '0' && keys.length < 50);
  if (keys.length === 0) return NaN;
  let total = 0;
  for (const k of keys.slice(0, 50)) total += Number(await redis.memory('USAGE', k, 'SAMPLES', '0'));
  return total / Math.min(50, keys.length);
}
