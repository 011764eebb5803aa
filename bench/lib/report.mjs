// The results as markdown tables (printed, and pasted into docs/performance.md) and the targets check.
import { backlogMarkdown, backlogTargets } from './report-backlog.mjs';
import { clusterMarkdown, clusterTargets } from './report-cluster.mjs';

const int = (v) => (Number.isFinite(v) ? String(Math.round(v)) : '–');
const dec = (d) => (v) => (Number.isFinite(v) ? v.toFixed(d) : '–');
const mb = (bytes) => (Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(0)} MB` : '–');
const pct = (share) => (Number.isFinite(share) ? `${share >= 0 ? '+' : ''}${(share * 100).toFixed(1)}%` : '–');

/** "median (min–max)", or the single value of a one-run figure. */
function fig(s, f = int) {
  if (!s) return '–';
  if (s.runs.length <= 1 || s.min === s.max) return f(s.median);
  return `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}

export function checkTargets(results) {
  const { ingest, batch, delivery, e2e, start, soak, backlog } = results.sections;
  const t = [];
  if (batch?.ratio) {
    t.push({
      target: 'Requests stored per second through batches of 100 ≥ 5 × through single requests (one api process)',
      measured: `${int(batch.variants.batch.rate.median)}/s vs ${int(batch.variants.single.rate.median)}/s; ratio ${fig(batch.ratio, dec(2))}`,
      met: batch.ratio.median >= 5,
    });
  }
  if (backlog?.large) t.push(...backlogTargets(backlog));
  if (results.sections.cluster?.variants) t.push(...clusterTargets(results.sections.cluster));
  if (ingest?.ratio) {
    t.push({
      target: 'Ingest per api process ≥ 1.5 × the express 5 + queue.add baseline',
      measured: `${int(ingest.variants.api.rate.median)}/s vs ${int(ingest.variants.express.rate.median)}/s; ratio ${fig(ingest.ratio, dec(2))}`,
      met: ingest.ratio.median >= 1.5,
    });
    const cpu = (k) => ingest.variants[k].cpuUs.median;
    t.push({
      target: 'Ingest server CPU per request ≤ 1 / 1.5 of the express baseline\'s',
      measured: `${int(cpu('api'))} µs vs ${int(cpu('express'))} µs: ${dec(2)(cpu('express') / cpu('api'))}× less`,
      met: cpu('express') / cpu('api') >= 1.5,
    });
  }
  if (ingest?.rss?.api && ingest.rss.express) {
    const [api, express] = [ingest.rss.api.rss, ingest.rss.express.rss];
    t.push({ target: 'api RSS after the ingest runs ≤ 1.1 × the express baseline\'s', measured: `${mb(api)} vs ${mb(express)}: ${dec(2)(api / express)}×`, met: api <= 1.1 * express });
  }
  if (delivery?.rss?.knocker1 && delivery.rss.got) {
    const [ours, got] = [delivery.rss.knocker1.rss, delivery.rss.got.rss];
    t.push({ target: 'Worker RSS after the delivery runs ≤ the raw BullMQ + got worker\'s', measured: `${mb(ours)} vs ${mb(got)}`, met: ours <= got });
  }
  const waiting = ingest?.memory?.['200 B'];
  if (waiting?.api && waiting?.express) {
    const ratio = waiting.api.perRequest / waiting.express.perRequest;
    t.push({ target: 'Redis bytes per waiting 200 B request ≤ 1.1 × the baseline\'s', measured: `${int(waiting.api.perRequest)} B vs ${int(waiting.express.perRequest)} B: ${dec(2)(ratio)}×`, met: ratio <= 1.1 });
  }
  if (delivery?.ratioGot) {
    t.push({
      target: 'Delivery per worker process ≥ 1.0 × the raw BullMQ + got worker',
      measured: `${int(delivery.variants.knocker1.rate.median)}/s vs ${int(delivery.variants.got.rate.median)}/s; ratio ${fig(delivery.ratioGot, dec(2))}`,
      met: delivery.ratioGot.median >= 1,
    });
    t.push({
      target: 'How close to the raw BullMQ + undici worker (got within 1.5× of it?)',
      measured: `Knocker ${fig(delivery.ratioUndici, dec(2))} of undici; raw got ${fig(delivery.ratioGotUndici, dec(2))} of undici`,
      met: delivery.ratioGotUndici.median >= 1 / 1.5,
    });
  }
  const at200 = e2e?.rates?.[200];
  if (at200) {
    t.push({ target: 'End-to-end p99 ≤ 12 ms at 200 req/s (api ×1, workers ×2)', measured: `p99 ${fig(at200.p99, dec(1))} ms`, met: at200.p99.median <= 12 });
  }
  const at500 = e2e?.rates?.[500];
  if (at500) {
    const total = at500.apiCpuUs.median + at500.workersCpuUs.median + at500.redisCpuUs.median;
    t.push({ target: 'CPU per request end to end at 500/s (api + workers + Redis) ≤ 1.8 ms', measured: `${dec(2)(total / 1000)} ms`, met: total <= 1800 });
    t.push({ target: 'End-to-end p99 ≤ 25 ms at 500 req/s (api ×1, workers ×2)', measured: `p99 ${fig(at500.p99, dec(1))} ms`, met: at500.p99.median <= 25 });
  }
  const s = e2e?.sustained;
  if (s) {
    t.push({
      target: 'Sustained 1,000 req/s for 60 s: all delivered, backlog zero ≤ 10 s after the load stops',
      measured: `${s.delivered} of ${s.accepted} delivered; drained ${fig(s.drainMs, (v) => (v / 1000).toFixed(1))} s after`,
      met: s.delivered === s.accepted && s.drainMs.max <= 10_000,
    });
  }
  if (start?.burst) {
    const b = start.burst;
    t.push({
      target: `A burst of ${b.sent} requests at once into pnpm start just started: every one accepted`,
      measured: `${b.accepted} of ${b.sent} accepted (${Object.entries(b.statuses).map(([c, n]) => `${n}×${c}`).join(', ')}), the last answered after ${dec(0)(b.answer.max)} ms`,
      met: b.accepted === b.sent,
    });
  }
  if (soak) {
    const g = soak.growth;
    const worst = g && Math.max(g.redisUsedMemory, ...g.processes.map((p) => p.rss));
    t.push({
      target: `Soak, pnpm start at ${soak.rate}/s for ${soak.minutes} min: no process's RSS nor Redis used_memory grows more than ${soak.maxGrowth * 100}% after minute ${soak.settleMinutes}`,
      measured: g ? `${g.processes.map((p) => `${p.name} ${pct(p.rss)}`).join(', ')}, Redis ${pct(g.redisUsedMemory)}` : `not judged: ${soak.minutes} min is not past minute ${soak.settleMinutes}`,
      met: g !== undefined && worst <= soak.maxGrowth,
    });
    t.push({
      target: 'Soak: every accepted request delivered',
      measured: `${soak.delivered} of ${soak.sent.accepted} delivered (${soak.sent.total} sent, ${soak.sent.refused} refused, ${soak.sent.unanswered} unanswered)`,
      met: soak.delivered >= soak.sent.accepted,
    });
  }
  if (start) {
    const mbOf = (b) => b / 2 ** 20;
    // "In all" is judged by PSS: a sum of RSS counts the node binary's pages (about 45 MB,
    // shared by the three processes) three times over. Both are shown.
    const both = (rss, pss) => `PSS ${mb(pss)} (RSS summed ${mb(rss)})`;
    t.push({ target: 'pnpm start idle ≤ 200 MB in all (api + 2 workers, PSS)', measured: both(start.idleRss, start.idlePss), met: mbOf(start.idlePss) <= 200 });
    t.push({ target: 'pnpm start at 500/s ≤ 350 MB in all (peak, api + 2 workers, PSS)', measured: both(start.at500.peakRss, start.at500.peakPss), met: mbOf(start.at500.peakPss) <= 350 });
    const su = start.sustained;
    t.push({
      target: `pnpm start ${su.rate}/s for ${su.seconds} s: every one answered, answer p99 ≤ 1 s, every accepted delivered, e2e p99 ≤ 1 s`,
      measured: `${su.sent - su.unanswered} of ${su.sent} answered (${su.refused} refused), answer p99 ${dec(0)(su.answer.p99)} ms; ${su.delivered} of ${su.accepted} delivered, e2e p99 ${dec(0)(su.e2e.p99)} ms`,
      met: su.unanswered === 0 && su.answer.p99 <= 1000 && su.delivered === su.accepted && su.e2e.p99 <= 1000,
    });
    const refusalP99 = (o) => {
      const refusals = Object.entries(o.answerByStatus).filter(([c]) => c === '503' || c === '429').map(([, v]) => v.p99);
      return refusals.length ? Math.max(...refusals) : NaN;
    };
    const shed = (o) => `${o.offered}/s: ${o.refused} of ${o.sent} refused (refusal p99 ${dec(0)(refusalP99(o))} ms), every answer p99 ${dec(0)(o.answer.p99)} ms, ${o.unanswered} unanswered; the sender took ${Math.round((o.senderCpu ?? NaN) * 100)}% of a core`;
    const e = start.overload;
    t.push({
      target: 'Past capacity (2× what pnpm start carries end to end): every answer, 200 or 429/503 with Retry-After, within 100 ms (p99)',
      measured: shed(e),
      met: e.unanswered === 0 && e.answer.p99 <= 100 && !(refusalP99(e) > 100),
    });
    const a = start.overloadAnswers;
    if (a) {
      t.push({
        target: 'Past the api\'s own capacity (2× what it answers inside pnpm start): load is shed, 429/503 with Retry-After within 100 ms',
        measured: shed(a),
        met: a.refused > 0 && a.unanswered === 0 && refusalP99(a) <= 100,
      });
    }
  }
  return t;
}

export function renderMarkdown(r) {
  const out = [];
  const line = (...cells) => out.push(`| ${cells.join(' | ')} |`);
  const head = (...cells) => { line(...cells); line(...cells.map((c, i) => (i === 0 ? '---' : '---:'))); };
  const load = (m) => `${m.loadavg.map((v) => v.toFixed(1)).join(', ')}${Number.isFinite(m.cpuPressure60) ? ` (CPU pressure ${m.cpuPressure60.toFixed(0)}%)` : ''}`;
  out.push(`Mode ${r.mode}, ${r.runs === 1 ? 'one run per figure' : `median (min–max) of ${r.runs} runs`}; Node ${r.node}, ${r.cpus} cores; load average ${load(r.machine.start)} at the start, ${load(r.machine.end)} at the end; ${Math.round(r.seconds)} s.${r.profiled ? ' PROFILED: the figures include the profiler\'s cost.' : ''}${r.redisConfig ? ` Redis set to: ${r.redisConfig}.` : ''}`);
  const { ingest, delivery, e2e } = r.sections;

  if (ingest) {
    out.push('', `**Ingest**: one process, ${ingest.connections} connections, ${ingest.body} B JSON body, ${ingest.seconds} s per run (autocannon)`, '');
    head('server', 'accepted/s', 'p50 ms', 'p99 ms', 'vs express', 'CPU µs/request: server, Redis');
    for (const [k, v] of Object.entries(ingest.variants)) {
      const ratio = k === 'api' ? fig(ingest.ratio, dec(2)) : k === 'express' ? '1' : v.thisVsIt ? `Knocker api ${fig(v.thisVsIt, dec(2))}× it` : '';
      line(v.label, fig(v.rate), fig(v.p50), fig(v.p99), ratio, `${fig(v.cpuUs)}, ${fig(v.redisCpuUs)}`);
    }
  }
  const { batch } = r.sections;
  if (batch) {
    out.push('', `**Batch ingest**: requests stored per second by one api process, ${batch.body} B JSON body each, ${batch.seconds} s per run (autocannon)`, '');
    head('sent as', 'stored/s', 'p50 ms per HTTP request', 'vs single', 'CPU µs/request: api, Redis');
    line(`single requests, ${batch.connections} connections`, fig(batch.variants.single.rate), fig(batch.variants.single.p50), '1', `${fig(batch.variants.single.cpuUs)}, ${fig(batch.variants.single.redisCpuUs)}`);
    line(`batches of ${batch.size}, ${batch.batchConnections} connections`, fig(batch.variants.batch.rate), fig(batch.variants.batch.p50), fig(batch.ratio, dec(2)), `${fig(batch.variants.batch.cpuUs)}, ${fig(batch.variants.batch.redisCpuUs)}`);
  }
  if (delivery) {
    out.push('', `**Delivery**: a pre-filled queue of ${delivery.jobs} jobs (${delivery.body} B body) drained to a local target, concurrency ${delivery.concurrency} per process`, '');
    head('worker', 'deliveries/s', 'vs got', 'vs undici', 'CPU µs/delivery: workers, Redis');
    for (const [k, v] of Object.entries(delivery.variants)) {
      const vs = { knocker1: [fig(delivery.ratioGot, dec(2)), fig(delivery.ratioUndici, dec(2))], got: ['1', fig(delivery.ratioGotUndici, dec(2))], undici: ['', '1'] }[k]
        ?? (v.thisVsIt ? [`Knocker worker ×1 ${fig(v.thisVsIt, dec(2))}× it`, ''] : [`${fig(v.scale, dec(2))} × one Knocker worker`, '']);
      line(v.label, fig(v.rate), ...vs, `${fig(v.cpuUs)}, ${fig(v.redisCpuUs)}`);
    }
  }
  if (e2e) {
    out.push('', `**End to end**: api ×1, workers ×2, open-loop load at a fixed rate, ${e2e.body} B body; latency from the client's send to the arrival at the target`, '');
    head('offered', 'delivered', 'p50 ms', 'p99 ms', 'max ms', 'api answer p99 ms', 'backlog at stop', 'drained after');
    const row = (label, s) => line(label, `${s.delivered} of ${s.accepted}${s.unanswered ? ` (${s.unanswered} of ${s.sent} sent never answered)` : ''}`, fig(s.p50, dec(1)), fig(s.p99, dec(1)), fig(s.max, dec(1)), fig(s.answerP99, dec(1)), fig(s.backlogAtStop), fig(s.drainMs, (v) => `${(v / 1000).toFixed(2)} s`));
    for (const [rate, s] of Object.entries(e2e.rates)) row(`${rate}/s for ${e2e.seconds} s`, s);
    if (e2e.sustained) row(`${e2e.sustained.rate}/s for ${e2e.sustained.seconds} s (sustained)`, e2e.sustained);
  }
  const { qstash } = r.sections;
  if (qstash?.ingest?.native) {
    out.push('', `**QStash door**: the same api and worker with the door on, ${qstash.body} B JSON body; a publish through \`/knocker/qstash/v2/publish\` next to a native request`, '');
    head('path', 'accepted/s', 'p50 ms', 'CPU µs/request (api)', 'deliveries/s', 'CPU µs/delivery (worker)');
    for (const key of ['native', 'qstash']) {
      const i = qstash.ingest[key];
      const d = qstash.delivery[key];
      line(key === 'native' ? 'native (Knocker-Host)' : 'QStash door (signed JWT)', fig(i.rate), fig(i.p50), fig(i.cpuUs), fig(d?.rate), fig(d?.cpuUs));
    }
    line('door / native', fig(qstash.ingest.ratio, dec(2)), '', '', fig(qstash.delivery.ratio, dec(2)), '');
  }
  if (ingest?.rss || e2e?.rss || delivery?.rss) {
    out.push('', '**Cost**', '');
    head('what', 'Knocker', 'baseline');
    for (const [label, m] of Object.entries(ingest?.memory ?? {})) {
      const parts = (v) => `${int(v.beyondBody)} (${int(v.jobHash)}; ${int(v.waitList)}; ${int(v.events)})`;
      line(`Redis bytes per waiting request beyond its ${label} body (job hash; wait list; event stream)`, parts(m.api), `${parts(m.express)}, express + queue.add`);
    }
    for (const [rate, e] of Object.entries(e2e?.rates ?? {})) {
      line(`CPU µs per request end to end at ${rate}/s: api, workers, Redis`, `${fig(e.apiCpuUs)}, ${fig(e.workersCpuUs)}, ${fig(e.redisCpuUs)}`, '');
    }
    if (ingest?.rss) line('RSS of the api after the ingest runs', mb(ingest.rss.api.rss), `${mb(ingest.rss.express.rss)} express, ${mb(ingest.rss.http.rss)} node:http`);
    if (delivery?.rss) line('RSS of a worker after the delivery runs', mb(delivery.rss.knocker1.rss), `${mb(delivery.rss.got.rss)} got, ${mb(delivery.rss.undici.rss)} undici`);
    const last = e2e?.sustained ?? e2e;
    if (last?.rss) line(`RSS after the ${e2e.sustained ? 'sustained' : 'end-to-end'} runs: api, workers`, `${mb(last.rss.api.rss)}; ${last.rss.workers.map((w) => mb(w.rss)).join(', ')}`, '');
  }
  if (Object.keys({ ...ingest?.bodies, ...delivery?.bodies }).length) {
    out.push('', '**Body size**: accepted/s (ingest) and deliveries/s by one process', '');
    head('body', 'ingest: Knocker api', 'ingest: express', 'delivery: Knocker worker', 'delivery: got', 'delivery: undici');
    if (ingest && delivery) line(`${ingest.body} B`, fig(ingest.variants.api.rate), fig(ingest.variants.express.rate), fig(delivery.variants.knocker1.rate), fig(delivery.variants.got.rate), fig(delivery.variants.undici.rate));
    const labels = new Set([...Object.keys(ingest?.bodies ?? {}), ...Object.keys(delivery?.bodies ?? {})]);
    for (const l of labels) {
      const i = ingest?.bodies?.[l];
      const d = delivery?.bodies?.[l];
      line(`${l}${i ? ` (${i.connections} conn.)` : ''}`, fig(i?.api.rate), fig(i?.express.rate), fig(d?.knocker1.rate), fig(d?.got.rate), fig(d?.undici.rate));
    }
  }
  const { start } = r.sections;
  if (start) {
    out.push('', `**pnpm start** (scripts/start.mjs, defaults: api + 2 workers), open loop, ${start.sustained.seconds} s at ${start.sustained.rate}/s; answers by status with their times (ms)`, '');
    head('load', 'answers', 'answer p50 / p90 / p99 / max', 'by status: p50 / p99', 'delivered', 'end to end p50 / p99', 'CPU µs per accepted (all processes + Redis)');
    const times = (a) => `${dec(1)(a.p50)} / ${dec(1)(a.p90)} / ${dec(1)(a.p99)} / ${dec(0)(a.max)}`;
    const rows = [['500/s', start.at500], [`${start.sustained.rate}/s`, start.sustained]];
    if (start.capacity) {
      rows.push([`${start.overload.offered}/s (2× its end-to-end capacity, ${int(start.capacity.endToEnd)}/s)`, start.overload]);
      rows.push([`${start.overloadAnswers.offered}/s (2× its answering capacity, ${int(start.capacity.answers)}/s)`, start.overloadAnswers]);
    }
    for (const [label, x] of rows) {
      const codes = Object.entries(x.statuses).map(([c, n]) => `${n}×${c}`).join(', ');
      const by = Object.entries(x.answerByStatus).map(([c, a]) => `${c}: ${dec(1)(a.p50)} / ${dec(1)(a.p99)}`).join('; ');
      line(label, `${codes}${x.unanswered ? `, ${x.unanswered} unanswered` : ''}`, times(x.answer), by, `${x.delivered} of ${x.accepted}`, `${dec(1)(x.e2e.p50)} / ${dec(1)(x.e2e.p99)}`, int(x.cpuUsPerAccepted));
    }
    if (start.burst) {
      const b = start.burst;
      out.push('', `Just started, ${b.sent} requests at once, each on a connection of its own: ${Object.entries(b.statuses).map(([c, n]) => `${n}×${c}`).join(', ')}; answered within ${dec(0)(b.answer.max)} ms of leaving (half within ${dec(0)(b.answer.p50)} ms).`);
    }
    out.push('', `RSS of the api and both workers: ${mb(start.startedRss)} just started, ${mb(start.idleRss)} idle after a first load, ${mb(start.at500.peakRss)} peak at 500/s (the launcher itself: ${mb(start.launcherRss)}); PSS, shared pages counted once: ${mb(start.idlePss)} idle, ${mb(start.at500.peakPss)} peak at 500/s.`);
  }
  const { soak } = r.sections;
  if (soak) {
    out.push('', `**Soak**: pnpm start (api + 2 workers) at ${soak.rate} requests/s, open loop, for ${soak.minutes} min; memory at the end of each minute, RSS / PSS of each process and Redis' used_memory (MB)`, '');
    const names = soak.samples[0]?.processes.map((p) => p.name) ?? [];
    head('minute', ...names, 'Redis used_memory', 'answers', 'answer p50 / p99 ms');
    const one = (b) => (Number.isFinite(b) ? (b / 2 ** 20).toFixed(1) : '–');
    for (const s of soak.samples) {
      line(String(s.minute), ...s.processes.map((p) => `${one(p.rss)} / ${one(p.pss)}`), one(s.redisUsedMemory), Object.entries(s.statuses).map(([c, n]) => `${n}×${c}`).join(', '), `${dec(1)(s.answer.p50)} / ${dec(1)(s.answer.p99)}`);
    }
    if (soak.growth) {
      const g = soak.growth;
      out.push('', `Growth after minute ${soak.settleMinutes} (to the most reached later), RSS / PSS: ${g.processes.map((p) => `${p.name} ${pct(p.rss)} / ${pct(p.pss)}`).join(', ')}; Redis used_memory ${pct(g.redisUsedMemory)}. End to end p50 ${dec(1)(soak.e2e.p50)} ms, p99 ${dec(1)(soak.e2e.p99)} ms.`);
    }
  }
  if (r.sections.cluster?.variants) out.push(...clusterMarkdown(r.sections.cluster));
  if (r.sections.backlog?.large) out.push(...backlogMarkdown(r.sections.backlog));
  if (r.targets.length) {
    out.push('', '**Targets**', '');
    head('target', 'measured', 'met');
    for (const t of r.targets) line(t.target, t.measured, t.met ? 'yes' : 'no');
  }
  if (r.errors.length) out.push('', ...r.errors.map((e) => `BROKEN: ${e.section}: ${e.error}`));
  return `${out.join('\n')}\n`;
}
