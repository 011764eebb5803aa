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
  const f = k.flow;
  if (f) {
    t.push({ target: 'Redis per request parked behind a paused flow key ≤ 1,200 B beyond its body', measured: `${int(f.parked.beyondBody)} B at ${int(f.parked.n)} parked`, met: f.parked.beyondBody <= 1200 });
    t.push({ target: 'Fresh requests to another target while a resumed key drains: end-to-end p99 < 100 ms', measured: `p99 ${ms(f.parked.fresh.e2e.p99)} ms`, met: f.parked.fresh.e2e.p99 < 100 });
    t.push({ target: `A limit of ${f.limit} at once holds when every retry to its target comes due at once`, measured: `at most ${int(f.limited.maxInFlight)} at once`, met: f.limited.maxInFlight <= f.limit });
  }
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
    if (st) out.push(`| ${int(d.n)}${d.fresh.slowest ? ` (slowest at ${d.fresh.slowest.map(([seq]) => `${(seq / k.freshRate).toFixed(1)} s`).join(', ')} into it)` : ''} | ${ms(d.fresh.answer.p50)} / ${ms(d.fresh.answer.p99)} | ${['queued', 'before', 'call', 'after'].map((s) => `${ms(st[s].p50)} / ${ms(st[s].p99)}`).join(' | ')} |`);
  }
  const slow = [k.small, k.large].filter((d) => d.slow).map((d) => `${int(d.n)}: ${d.slow.count} slower than 2 ms, ${ms(d.slow.totalMs)} ms in all, the longest ${ms(d.slow.maxMs)} ms (${Object.entries(d.slow.byName ?? {}).sort((a, b) => b[1].totalMs - a[1].totalMs).slice(0, 3).map(([n, b]) => `${n}: ${b.count}, ${ms(b.totalMs)} ms`).join(', ')})`);
  if (slow.length > 0) out.push('', `Redis commands that held it during the drain: ${slow.join('; ')}.`);
  const f = k.flow;
  if (f) {
    out.push('', `Flow control on (another api and worker): ${int(f.parked.n)} requests parked behind a paused key (no limit), then resumed; ${int(f.limited.n)} requests to a target limited to ${f.limit} at once (answering after 5 ms) waiting for their retries, which come due at once. Fresh requests go to the healthy target meanwhile.`, '');
    out.push('| case | Redis B per request beyond the body | drain/s | at the target at once | fresh requests: e2e p50 / p99 / max ms; api answer p99 | fresh stages p99 ms: queued, before the call, call |', '| --- | ---: | ---: | ---: | ---: | ---: |');
    for (const [name, c] of [['parked, resumed', f.parked], ['limited, retries due at once', f.limited]]) {
      const st = c.fresh.stages;
      out.push(`| ${name} | ${c.beyondBody === undefined ? '–' : int(c.beyondBody)} | ${int(c.rate)} (${c.seconds.toFixed(1)} s) | ${c.maxInFlight === undefined ? '–' : int(c.maxInFlight)} | ${ms(c.fresh.e2e.p50)} / ${ms(c.fresh.e2e.p99)} / ${ms(c.fresh.e2e.max)}; ${ms(c.fresh.answer.p99)} | ${ms(st.queued.p99)}, ${ms(st.before.p99)}, ${ms(st.call.p99)} |`);
    }
  }
  if (k.bytes) {
    const b = k.bytes;
    out.push('', `A waiting request's bytes in Redis: its job hash ${int(b.job)} B (${b.encoding}; fields ${Object.entries(b.fields).map(([f, n]) => `${f} ${n}`).join(', ')}), the delayed set ${int(b.delayed)} B, the event stream ${int(b.events)} B, the rest ${int(b.rest)} B.`);
  }
  return out;
}
