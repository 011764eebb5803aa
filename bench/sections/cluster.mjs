// Cluster: the same ingest and delivery on a single Redis, and on a local Redis Cluster of 3
// masters with QUEUE_SHARDS 1 and 3, reporting the Redis CPU each master spent per request.
// On a shared 2-core machine the total rate cannot grow; the split across masters is what
// shows that N hosts carry about N times the load.
import { Redis } from 'ioredis';
import { shardPrefixes, slotOf } from '@knocker/keys';
import { startCluster } from '@knocker/test-kit';
import { bodyOf, clientHeaders } from '../lib/jobs.mjs';
import { assertClean, closedLoop } from '../lib/load.mjs';
import { assertAlive } from '../lib/procs.mjs';
import { startApi, startWorker } from '../lib/servers.mjs';

const cpuMs = async (redis) => {
  const info = await redis.info('cpu');
  return 1000 * (Number(/used_cpu_user:([\d.]+)/.exec(info)[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)[1]));
};

export async function clusterSection(ctx) {
  const { cfg } = ctx;
  const procs = [];
  const nodes = [];
  let cluster;
  const out = { seconds: cfg.ingest.seconds, connections: cfg.ingest.connections, variants: {} };
  try {
    ctx.say('cluster: starting a Redis Cluster of 3 masters');
    cluster = await startCluster({ masters: 3, replicasPerMaster: 0 });
    const masters = (await cluster.masters()).map((m) => ({ ...m, redis: new Redis({ host: '127.0.0.1', port: m.node.port }) }));
    nodes.push(...masters.map((m) => m.redis));
    const single = [{ name: 'single', redis: ctx.admin }];
    const variants = [
      { key: 'single', label: 'single Redis, 1 shard', shards: 1, env: {}, masters: single },
      { key: 'cluster1', label: 'cluster of 3, QUEUE_SHARDS=1', shards: 1, env: { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.seeds }, masters },
      { key: 'cluster3', label: 'cluster of 3, QUEUE_SHARDS=3', shards: 3, env: { REDIS_URL: '', REDIS_CLUSTER_NODES: cluster.seeds }, masters },
    ];
    const body = bodyOf(cfg.body);
    const headers = clientHeaders(ctx.target.host);
    const split = async (v, work) => {
      const before = await Promise.all(v.masters.map((m) => cpuMs(m.redis)));
      const n = await work();
      const after = await Promise.all(v.masters.map((m) => cpuMs(m.redis)));
      return v.masters.map((m, i) => ({ master: m.node ? `:${m.node.port}` : m.name, us: Math.round(((after[i] - before[i]) * 1000) / n) }));
    };
    for (const v of variants) {
      const prefix = `{bench-${v.key}}`;
      const env = { ...v.env, QUEUE_SHARDS: String(v.shards), MAX_EVENT_LOOP_DELAY_MS: '0', MAX_ANSWER_DELAY_MS: '0' };
      // A cluster start-up asks every seed first; on a loaded machine that takes a while.
      const api = await startApi(ctx, { name: `cluster-api-${v.key}`, prefix, env, readyTimeoutMs: 120_000 });
      procs.push(api);
      await ctx.target.reset();
      let load;
      const ingest = await split(v, async () => {
        load = await closedLoop({ url: `${api.url}/hook`, headers, body, connections: cfg.ingest.connections, seconds: cfg.ingest.seconds });
        return load.ok;
      });
      assertClean(`cluster ${v.key}`, load);
      const worker = await startWorker(ctx, { name: `cluster-worker-${v.key}`, prefix, env, readyTimeoutMs: 120_000 });
      procs.push(worker);
      const started = Date.now();
      const delivery = await split(v, async () => {
        while ((await ctx.target.count()).count < load.ok) {
          assertAlive([api, worker]);
          if (Date.now() - started > 300_000) throw new Error(`cluster ${v.key}: deliveries stalled`);
          await new Promise((r) => setTimeout(r, 50));
        }
        return load.ok;
      });
      const drainSeconds = (Date.now() - started) / 1000;
      // Where each shard's slot lives: the masters that should share the work.
      const shardMasters = v.masters === single ? ['single'] : shardPrefixes(prefix, v.shards).map((p) => `:${masters.find((m) => m.slots.some(([a, b]) => slotOf(p) >= a && slotOf(p) <= b)).node.port}`);
      out.variants[v.key] = { label: v.label, accepted: load.ok, ingestRate: load.rate, deliveryRate: load.ok / drainSeconds, ingest, delivery, shardMasters };
      ctx.say(`cluster ${v.key}: ${Math.round(load.rate)}/s in, ${Math.round(load.ok / drainSeconds)}/s out; Redis CPU µs/request per master: ingest ${ingest.map((m) => `${m.master} ${m.us}`).join(', ')}; delivery ${delivery.map((m) => `${m.master} ${m.us}`).join(', ')}`);
      await Promise.all([api.stop(), worker.stop()]);
      procs.length = 0;
    }
    return out;
  } finally {
    await Promise.allSettled(procs.map((p) => p.stop()));
    for (const n of nodes) n.disconnect();
    await cluster?.stop();
  }
}
