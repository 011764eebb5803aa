// Cluster: one api and two workers on a local Redis Cluster of 3 masters, with QUEUE_SHARDS 1
// and then 3, under an open-loop load at a fixed rate end to end. For each master: the Redis
// CPU it spent per request (accepted, stored, delivered), and with no load at all the CPU the
// idle workers cost it per second, per shard and per worker. The system's rate is bounded by
// its busiest master, so the busiest master's CPU per request is the figure that says how far
// N masters carry N times one. On a shared machine the rate itself cannot grow, and the CPU
// per request moves with its load (a queue that empties between jobs costs more per job): the
// commands each master ran per request are the split that load does not change.
import { Redis } from 'ioredis';
import { shardPrefixes, slotOf } from '@knocker/keys';
import { startCluster } from '@knocker/test-kit';
import { bodyOf, clientHeaders } from '../lib/jobs.mjs';
import { openLoop } from '../lib/open-loop.mjs';
import { assertAlive } from '../lib/procs.mjs';
import { startApi, startWorker } from '../lib/servers.mjs';
import { waitForDeliveries } from '../lib/target.mjs';
import { spread, spreadOf } from '../lib/stats.mjs';

const WORKERS = 2;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const cpuMs = async (redis) => {
  const info = await redis.info('cpu');
  return 1000 * (Number(/used_cpu_user:([\d.]+)/.exec(info)[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)[1]));
};

/** Calls and µs of each command (scripts' own commands included), as INFO commandstats counts them. */
const commandStats = async (redis) => {
  const stats = {};
  for (const [, name, calls, usec] of (await redis.info('commandstats')).matchAll(/cmdstat_([\w|]+):calls=(\d+),usec=(\d+)/g)) stats[name] = { calls: Number(calls), usec: Number(usec) };
  return stats;
};

/** Each master's Redis CPU (ms) spent while `work` ran, how long it ran (s), and its commands then. */
async function spent(masters, work) {
  const read = () => Promise.all(masters.map(async (m) => ({ cpu: await cpuMs(m.redis), commands: await commandStats(m.redis) })));
  const before = await read();
  const t = performance.now();
  const result = await work();
  const seconds = (performance.now() - t) / 1000;
  const after = await read();
  const commands = after.map((a, i) => Object.fromEntries(Object.entries(a.commands).map(([name, { calls, usec }]) => {
    const b = before[i].commands[name] ?? { calls: 0, usec: 0 };
    return [name, { calls: calls - b.calls, usec: usec - b.usec }];
  }).filter(([, d]) => d.calls > 0)));
  return { ms: after.map((a, i) => a.cpu - before[i].cpu), seconds, result, commands };
}

/** The commands that cost a master most, per unit (a request, or a second), busiest first. */
const top = (commands, per, n = 8) => Object.entries(commands).sort((a, b) => b[1].usec - a[1].usec).slice(0, n)
  .map(([name, d]) => ({ name, calls: d.calls / per, us: d.usec / per }));

export async function clusterSection(ctx) {
  const c = ctx.cfg.cluster;
  const procs = [];
  const nodes = [];
  let cluster;
  const out = { seconds: c.seconds, idleSeconds: c.idleSeconds, workers: WORKERS, body: ctx.cfg.body, variants: {} };
  try {
    ctx.say('cluster: starting a Redis Cluster of 3 masters');
    cluster = await startCluster({ masters: 3, replicasPerMaster: 0 });
    const masters = (await cluster.masters()).map((m) => ({ ...m, name: `:${m.node.port}`, redis: new Redis({ host: '127.0.0.1', port: m.node.port }) }));
    nodes.push(...masters.map((m) => m.redis));
    out.masters = masters.map((m) => m.name);
    // What the cluster costs each master with nothing connected (its bus's pings): taken off the idle figures.
    const quiet = await spent(masters, () => sleep(c.idleSeconds * 1000));
    out.gossipMsPerSecond = quiet.ms.map((ms) => ms / quiet.seconds);
    const body = bodyOf(ctx.cfg.body);
    const headers = clientHeaders(ctx.target.host);

    const measure = async ({ key, shards, rate }) => {
      const prefix = `{bench-cluster-${key}}`;
      const env = { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.seeds, QUEUE_SHARDS: String(shards), MAX_EVENT_LOOP_DELAY_MS: '0', MAX_ANSWER_DELAY_MS: '0', ...c.env };
      // A cluster start-up asks every seed first; on a loaded machine that takes a while.
      procs.push(...(await Promise.all([
        startApi(ctx, { name: `cluster-api-${key}`, prefix, env, readyTimeoutMs: 120_000 }),
        ...Array.from({ length: WORKERS }, (_, i) => startWorker(ctx, { name: `cluster-worker-${key}-${i + 1}`, prefix, env, readyTimeoutMs: 120_000 })),
      ])));
      const [api, ...workers] = procs;
      const run = async (seconds) => {
        await ctx.target.reset();
        const cpu = () => [api.cpuMs(), workers.reduce((a, w) => a + w.cpuMs(), 0)];
        const c0 = cpu();
        const { ms, seconds: took, result: load, commands } = await spent(masters, async () => {
          const l = await openLoop({ origin: api.url, headers, body, rate, seconds });
          assertAlive(procs);
          if (l.errors > 0 || l.accepted === 0) throw new Error(`cluster ${key} at ${rate}/s: ${l.errors} failed of ${l.sent} (${JSON.stringify(l.statuses)}); ${l.firstErrors.join('; ')}`);
          await waitForDeliveries(ctx.target, l.accepted, { what: `cluster ${key} at ${rate}/s`, check: () => assertAlive(procs) });
          return l;
        });
        const c1 = cpu();
        const st = await ctx.target.stats(load.accepted);
        if (st.unique < load.accepted) throw new Error(`cluster ${key}: ${load.accepted - st.unique} of ${load.accepted} accepted requests lost`);
        const per = (v) => (v * 1000) / load.accepted;
        return {
          sent: load.sent, accepted: load.accepted, refused: load.refused, delivered: st.unique, duplicates: st.duplicates,
          offeredRate: load.offeredRate, seconds: took, p50: st.latency.p50, p99: st.latency.p99, drainMs: Math.max(0, (st.lastUs - load.stoppedUs) / 1000),
          redisUs: ms.map(per),
          // Commands per request (a script's own commands counted too): the work each master did, whatever the machine's load.
          callsPerRequest: commands.map((cs) => Object.entries(cs).reduce((a, [name, d]) => a + (name === 'info' ? 0 : d.calls), 0) / load.accepted),
          commands: commands.map((cs) => top(cs, load.accepted)), apiUs: per(c1[0] - c0[0]), workersUs: per(c1[1] - c0[1]),
        };
      };
      try {
        if (c.warmSeconds > 0) await run(c.warmSeconds);
        // Idle: what the workers' waiting costs, with every queue empty.
        await sleep(1000);
        const idle = await spent(masters, () => sleep(c.idleSeconds * 1000));
        const idleMsPerSecond = idle.ms.map((ms, i) => Math.max(0, ms / idle.seconds - out.gossipMsPerSecond[i]));
        const loaded = await run(c.seconds);
        const v = {
          ...loaded, busiestUs: Math.max(...loaded.redisUs), busiestCalls: Math.max(...loaded.callsPerRequest),
          idleMsPerSecond, idleCommands: idle.commands.map((cs) => top(cs, idle.seconds)),
          // The idle cost of one shard to one worker, on the master holding it (ms of Redis CPU per second).
          idlePerShardWorker: idleMsPerSecond.reduce((a, b) => a + b, 0) / shards / WORKERS,
        };
        ctx.say(`cluster ${key}: ${Math.round(v.offeredRate)}/s offered, ${v.delivered} of ${v.accepted} delivered, p50 ${v.p50.toFixed(1)} ms, p99 ${v.p99.toFixed(1)} ms; Redis CPU µs/request per master ${v.redisUs.map(Math.round).join(' / ')}; api ${Math.round(v.apiUs)}, workers ${Math.round(v.workersUs)} µs/request; idle ${idleMsPerSecond.map((x) => x.toFixed(2)).join(' / ')} ms/s per master (${v.idlePerShardWorker.toFixed(2)} per shard per worker)`);
        return v;
      } finally {
        await Promise.all(procs.map((p) => p.stop()));
        procs.length = 0;
      }
    };

    // Rounds interleave the layouts, so that a change in the machine's load weighs on each alike.
    const runs = Object.fromEntries(c.variants.map((v) => [v.key, []]));
    for (let round = 0; round < ctx.cfg.runs; round++) {
      for (const variant of c.variants) runs[variant.key].push(await measure(variant));
    }
    const keys = ['offeredRate', 'p50', 'p99', 'drainMs', 'apiUs', 'workersUs', 'busiestUs', 'busiestCalls', 'idlePerShardWorker'];
    for (const variant of c.variants) {
      const rs = runs[variant.key];
      // Where each shard's slot lives: the masters that should share the work.
      const shardMasters = shardPrefixes(`{bench-cluster-${variant.key}}`, variant.shards).map((p) => masters.find((m) => m.slots.some(([a, b]) => slotOf(p) >= a && slotOf(p) <= b)).name);
      out.variants[variant.key] = {
        ...variant, shardMasters, runs: rs.length,
        accepted: rs.reduce((a, r) => a + r.accepted, 0), delivered: rs.reduce((a, r) => a + r.delivered, 0), refused: rs.reduce((a, r) => a + r.refused, 0),
        ...spreadOf(rs, keys),
        redisUs: masters.map((_, i) => spread(rs.map((r) => r.redisUs[i]))),
        callsPerRequest: masters.map((_, i) => spread(rs.map((r) => r.callsPerRequest[i]))),
        idleMsPerSecond: masters.map((_, i) => spread(rs.map((r) => r.idleMsPerSecond[i]))),
        // The profile of the last run: where each master's time went.
        commands: rs.at(-1).commands, idleCommands: rs.at(-1).idleCommands,
      };
    }
    const [one, split] = [out.variants.one, out.variants.three];
    // Each round's ratio, then their median: a round's two layouts met the same machine.
    if (one && split) {
      const ratios = (k) => spread(runs.three.map((r, i) => r[k] / runs.one[i][k]));
      [out.busiestRatio, out.busiestCallsRatio] = [ratios('busiestUs'), ratios('busiestCalls')];
    }
    return out;
  } finally {
    await Promise.allSettled(procs.map((p) => p.stop()));
    for (const n of nodes) n.disconnect();
    await cluster?.stop();
  }
}
