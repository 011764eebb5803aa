// The backlog section's table and targets (see sections/backlog.mjs).

const int = (v) => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '–');
const ms = (v) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const mb = (bytes) => (Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(0)} MB` : '–');

export function backlogTargets(k) {
  const t = [];
  const bytes = k.slices.map((s) => s.beyondBody);
  t.push({
    target: 'Redis per waiting request ≤ 1,200 B beyond its body, not growing with the backlog',
    measured: `${bytes.map(int).join(', ')} B at ${k.slices.map((s) => int(s.filled)).join(', ')} waiting`,
    met: Math.max(...bytes) <= 1200 && bytes.at(-1) <= bytes[0] * 1.05,
  });
  t.push({ target: 'Ingest while the backlog grows within 10% of the rate into an empty queue', measured: `${int(k.slices.at(-1).rate)}/s vs ${int(k.slices[0].rate)}/s: ${k.ingestRatio.toFixed(2)}×`, met: k.ingestRatio >= 0.9 });
  const worst = Object.entries(k.routes).sort((a, b) => b[1].p99 - a[1].p99)[0];
  t.push({ target: 'While it waits: status, inspection, hosts, /metrics and health answer within 100 ms (p99)', measured: `slowest ${worst[0]}, p99 ${ms(worst[1].p99)} ms`, met: worst[1].p99 <= 100 });
  t.push({ target: 'Redis CPU of idle workers on the waiting backlog < 5% of a core', measured: `${(k.idleRedisCore * 100).toFixed(1)}%`, met: k.idleRedisCore < 0.05 });
  t.push({ target: `Drain of ${int(k.large.n)} within 10% of the drain of ${int(k.small.n)}`, measured: `${int(k.large.rate)}/s vs ${int(k.small.rate)}/s: ${k.drainRatio.toFixed(2)}×`, met: k.drainRatio >= 0.9 });
  t.push({ target: 'Fresh requests to a healthy target during the drain: end-to-end p99 < 100 ms', measured: `p99 ${ms(k.large.fresh.e2e.p99)} ms (${int(k.small.n)}: ${ms(k.small.fresh.e2e.p99)} ms; nothing to drain: ${ms(k.calm?.p99)} ms)`, met: k.large.fresh.e2e.p99 < 100 });
  return t;
}

export function backlogMarkdown(k) {
  const out = ['', `**Backlog**: ${int(k.requests)} requests of ${k.body} B through the api (50 connections) to a target refusing connections, each waiting for its retry after one refused attempt; then the target comes back and every retry comes due at once, while ${k.freshRate} requests/s go to another, healthy target`, ''];
  out.push('| waiting | ingest/s | ingest p99 ms | Redis B per request beyond the body | RSS api, worker |', '| --- | ---: | ---: | ---: | ---: |');
  for (const s of k.slices) out.push(`| ${int(s.filled)} | ${int(s.rate)} | ${ms(s.p99)} | ${int(s.beyondBody)} | ${mb(s.rss.api)}, ${mb(s.rss.worker)} |`);
  out.push('', `While it waits: fresh requests e2e p50 ${ms(k.calm?.p50)} / p99 ${ms(k.calm?.p99)} ms; Redis CPU ${(k.idleRedisCore * 100).toFixed(1)}% of a core; ${Object.entries(k.routes).map(([n, r]) => `${n} p50 ${ms(r.p50)} / p99 ${ms(r.p99)} ms`).join(', ')}.`, '');
  out.push('| drain | deliveries/s | CPU µs/delivery: worker, Redis | fresh requests: accepted, e2e p50 / p99 / max ms |', '| --- | ---: | ---: | ---: |');
  for (const d of [k.small, k.large]) {
    out.push(`| ${int(d.n)} | ${int(d.rate)} (${d.seconds.toFixed(1)} s) | ${int(d.workerCpuUs)}, ${int(d.redisCpuUs)} | ${int(d.fresh.accepted)} of ${int(d.fresh.sent)}, ${ms(d.fresh.e2e.p50)} / ${ms(d.fresh.e2e.p99)} / ${ms(d.fresh.e2e.max)} |`);
  }
  out.push('', 'Where the fresh requests\' time went (BullMQ\'s times and the attempt\'s, p50 / p99 ms): the api\'s answer to the client, added → taken by the worker, taken → call started, the call, call ended → completed.', '');
  out.push('| drain | api answer | queued | before the call | call | after |', '| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const d of [k.small, k.large]) {
    const st = d.fresh.stages;
    if (st) out.push(`| ${int(d.n)} | ${ms(d.fresh.answer.p50)} / ${ms(d.fresh.answer.p99)} | ${['queued', 'before', 'call', 'after'].map((s) => `${ms(st[s].p50)} / ${ms(st[s].p99)}`).join(' | ')} |`);
  }
  if (k.bytes) {
    const b = k.bytes;
    out.push('', `A waiting request's bytes in Redis: its job hash ${int(b.job)} B (${b.encoding}; fields ${Object.entries(b.fields).map(([f, n]) => `${f} ${n}`).join(', ')}), the delayed set ${int(b.delayed)} B, the event stream ${int(b.events)} B, the rest ${int(b.rest)} B.`);
  }
  return out;
}
