// A soak: pnpm start, as the start section runs it, at a steady open-loop rate for many
// minutes, with the memory of each of its processes (RSS and PSS) and Redis' used_memory taken
// at the end of every minute. Past the first minutes, in which caches fill and the heaps find
// their size, none of them may keep growing: a leak shows as growth minute after minute.
import { readFileSync } from 'node:fs';
import { bodyOf, clientHeaders } from '../lib/jobs.mjs';
import { openLoop } from '../lib/open-loop.mjs';
import { assertAlive, pssOf, rssOf } from '../lib/procs.mjs';
import { waitForDeliveries } from '../lib/target.mjs';
import { launchStart } from './start.mjs';

const PREFIX = 'bench-soak';

export async function soakSection(ctx) {
  const { minutes, rate, settleMinutes, maxGrowth } = ctx.cfg.soak;
  await ctx.flush();
  const { launcher, origin, close } = await launchStart(ctx, PREFIX);
  try {
    const headers = clientHeaders(ctx.target.host, { 'knocker-scheme': 'http' });
    const body = bodyOf(ctx.cfg.body);
    // The apps by name, from the launcher's own log: a restarted one shows as a second pid.
    const started = () => [...readFileSync(launcher.logFile, 'utf8').matchAll(/\[start\] (\S+) started \(pid (\d+)\)/g)].map(([, name, pid]) => ({ name, pid: Number(pid) }));
    const apps = started();
    const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await ctx.admin.info('memory'))[1]);
    await ctx.target.reset();
    const samples = [];
    const sent = { total: 0, accepted: 0, refused: 0, unanswered: 0, errors: 0 };
    ctx.say(`soak: pnpm start at ${rate} requests/s for ${minutes} min; memory each minute`);
    for (let minute = 1; minute <= minutes; minute++) {
      const load = await openLoop({ origin, headers, body, rate, seconds: 60, seqStart: sent.total, answerTimeoutMs: 30_000 });
      assertAlive([launcher]);
      sent.total += load.sent;
      sent.accepted += load.accepted;
      sent.refused += load.refused;
      sent.unanswered += load.unanswered + load.timeouts;
      sent.errors += load.errors;
      const sample = {
        minute,
        processes: apps.map(({ name, pid }) => ({ name, pid, rss: rssOf(pid), pss: pssOf(pid) })),
        redisUsedMemory: await usedMemory(),
        answer: load.answer,
        statuses: load.statuses,
      };
      samples.push(sample);
      const mb = (b) => (b / 2 ** 20).toFixed(1);
      ctx.say(`soak minute ${minute}: ${sample.processes.map((p) => `${p.name} RSS ${mb(p.rss)} PSS ${mb(p.pss)} MB`).join(', ')}; Redis used_memory ${mb(sample.redisUsedMemory)} MB; answers p99 ${load.answer.p99?.toFixed(1)} ms (${Object.entries(load.statuses).map(([c, n]) => `${n}×${c}`).join(', ')})`);
    }
    await waitForDeliveries(ctx.target, sent.accepted, { what: 'soak', check: () => assertAlive([launcher]) });
    const st = await ctx.target.stats(sent.total);
    const restarted = started().slice(apps.length);
    const out = { minutes, rate, settleMinutes, maxGrowth, sent, delivered: st.unique, duplicates: st.duplicates, e2e: st.latency, samples, growth: growthOf(samples, settleMinutes) };
    const broken = [];
    if (st.unique < sent.accepted) broken.push(`soak: ${sent.accepted - st.unique} of ${sent.accepted} accepted requests never delivered`);
    if (sent.errors > 0) broken.push(`soak: ${sent.errors} requests failed without an answer`);
    if (restarted.length > 0) broken.push(`soak: ${restarted.map((r) => r.name).join(', ')} restarted during the run (crashed); the launcher's log says why`);
    if (broken.length) out.broken = broken;
    return out;
  } finally {
    await close();
  }
}

/**
 * How much each process's RSS and PSS, and Redis' used_memory, grew from the end of minute
 * `settle` to the most they reached after it, as a share of the first (0.1: 10%); undefined
 * until a minute past the settling ones was sampled.
 */
export function growthOf(samples, settle) {
  const base = samples.find((s) => s.minute === settle);
  const later = samples.filter((s) => s.minute > settle);
  if (!base || later.length === 0) return undefined;
  const grew = (from, values) => Math.max(...values) / from - 1;
  return {
    processes: base.processes.map((p) => ({
      name: p.name,
      rss: grew(p.rss, later.map((s) => s.processes.find((q) => q.pid === p.pid)?.rss ?? NaN)),
      pss: grew(p.pss, later.map((s) => s.processes.find((q) => q.pid === p.pid)?.pss ?? NaN)),
    })),
    redisUsedMemory: grew(base.redisUsedMemory, later.map((s) => s.redisUsedMemory)),
  };
}
