// The cluster section's table and target (see sections/cluster.mjs).

const int = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
const med = (s, f = int) => (s.runs?.length > 1 ? `${f(s.median)} (${f(s.min)}–${f(s.max)})` : f(s.median));
const dec1 = (v) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const dec2 = (v) => (Number.isFinite(v) ? v.toFixed(2) : '–');

export function clusterTargets(k) {
  if (!k.busiestRatio) return [];
  const { one, three } = k.variants;
  return [{
    target: 'Cluster of 3 masters, QUEUE_SHARDS=3: the busiest master ≤ 0.4× the Redis CPU per request of QUEUE_SHARDS=1',
    measured: `${int(three.busiestUs.median)} vs ${int(one.busiestUs.median)} µs at ${int(one.rate)}/s: ${med(k.busiestRatio, dec2)}× (commands per request ${med(k.busiestCallsRatio, dec2)}×)`,
    met: k.busiestRatio.median <= 0.4,
  }];
}

export function clusterMarkdown(k) {
  const out = ['', `**Cluster**: a local Redis Cluster of 3 masters (${k.masters.join(', ')}), api ×1, workers ×${k.workers}, open-loop load at a fixed rate for ${k.seconds} s, ${k.body} B body; Redis CPU per request on each master from the first request to the last delivery; idle: the workers' cost per second with every queue empty, the cluster's own ${k.gossipMsPerSecond.map(dec2).join(' / ')} ms/s taken off`, ''];
  out.push('| layout | offered/s | delivered | p50 / p99 ms | Redis CPU µs/request per master | busiest | Redis commands/request per master | CPU µs/request: api, workers | idle ms/s per master | idle ms/s per shard per worker |', '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const v of Object.values(k.variants)) {
    out.push(`| QUEUE_SHARDS=${v.shards} at ${int(v.rate)}/s (on ${v.shardMasters.join(', ')}) | ${int(v.offeredRate.median)} | ${int(v.delivered)} of ${int(v.accepted)} | ${int(v.p50.median)} / ${int(v.p99.median)} | ${v.redisUs.map((s) => med(s)).join(' / ')} | ${med(v.busiestUs)} | ${v.callsPerRequest.map((s) => dec1(s.median)).join(' / ')} | ${int(v.apiUs.median)}, ${int(v.workersUs.median)} | ${v.idleMsPerSecond.map((s) => dec2(s.median)).join(' / ')} | ${dec2(v.idlePerShardWorker.median)} |`);
  }
  if (k.busiestRatio) out.push('', `Busiest master with 3 shards against 1 (median of the rounds' ratios): Redis CPU per request ${med(k.busiestRatio, dec2)}×, commands per request ${med(k.busiestCallsRatio, dec2)}×.`);
  return out;
}
