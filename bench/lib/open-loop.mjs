// An open-loop load: requests leave on a fixed schedule (`rate` per second for `seconds`),
// whether or not earlier answers have come back, so a slow server cannot lower the offered
// rate. Each request carries its sequence number and its send time (µs, CLOCK_MONOTONIC) in
// headers that the api forwards, so the target can time the whole trip.
import { Pool } from 'undici';
import { latencySummary } from './stats.mjs';

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

export async function openLoop({ origin, path = '/hook', headers, body, rate, seconds, seqStart = 0, connections = 256, answerTimeoutMs = 60_000, onStop }) {
  const pool = new Pool(origin, { connections, pipelining: 1, headersTimeout: answerTimeoutMs, bodyTimeout: answerTimeoutMs });
  const total = Math.round(rate * seconds);
  const answers = [];
  const byStatus = {};
  const inflight = new Set();
  let sent = 0;
  let accepted = 0;
  let refused = 0;
  let errors = 0;
  let timeouts = 0;
  let gaveUp = false;
  let maxLagMs = 0;
  const statuses = {};
  const firstErrors = [];

  const sendOne = (seq) => {
    const t = nowUs();
    const p = pool
      .request({ path, method: 'POST', headers: { ...headers, 'x-bench-seq': String(seq), 'x-bench-sent': String(t) }, body })
      .then(async (res) => {
        await res.body.dump();
        const ms = (nowUs() - t) / 1000;
        answers.push(ms);
        (byStatus[res.statusCode] ??= []).push(ms);
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode === 200) accepted++;
        else refused++;
      })
      .catch((err) => {
        // Still unanswered when the wait ended: counted as unanswered, not as failed.
        if (gaveUp) return;
        if (err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') return void timeouts++;
        errors++;
        if (firstErrors.length < 5) firstErrors.push(err.message);
      })
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };

  const started = performance.now();
  const cpu0 = process.cpuUsage();
  await new Promise((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - started;
      const due = Math.min(total, Math.floor((elapsed / 1000) * rate) + 1);
      if (sent < due) maxLagMs = Math.max(maxLagMs, elapsed - (sent / rate) * 1000);
      while (sent < due) sendOne(seqStart + sent++);
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    };
    const timer = setInterval(tick, 1);
    tick();
  });
  const sendSeconds = (performance.now() - started) / 1000;
  const stoppedUs = nowUs();
  onStop?.();
  const deadline = new Promise((resolve) => setTimeout(resolve, answerTimeoutMs).unref());
  await Promise.race([Promise.allSettled([...inflight]), deadline]);
  const unanswered = inflight.size;
  gaveUp = true;
  const cpu = process.cpuUsage(cpu0);
  await pool.destroy();
  return {
    sent, accepted, refused, errors, timeouts, unanswered, statuses, firstErrors,
    offeredRate: sent / sendSeconds,
    maxLagMs,
    /** The sender's own CPU, in cores, from the first send to the last answer: on a machine it shares, what it took from the server. */
    senderCpu: (cpu.user + cpu.system) / 1000 / (performance.now() - started),
    answer: latencySummary(answers),
    /** The answer times of each status. */
    answerByStatus: Object.fromEntries(Object.entries(byStatus).map(([s, v]) => [s, latencySummary(v)])),
    /** When the last request left, on the target's clock (µs). */
    stoppedUs,
  };
}

/**
 * `count` requests at once, each on a connection of its own: what a client that opens a pool
 * and fires everything it has does to a service. Every request carries its sequence number.
 */
export async function burst({ origin, path = '/hook', headers, body, count, seqStart = 0, answerTimeoutMs = 60_000 }) {
  const pool = new Pool(origin, { connections: count, pipelining: 1, headersTimeout: answerTimeoutMs, bodyTimeout: answerTimeoutMs });
  const statuses = {};
  const answers = [];
  const firstRefusals = [];
  const firstErrors = [];
  const started = nowUs();
  try {
    await Promise.all(Array.from({ length: count }, async (_, i) => {
      const t = nowUs();
      try {
        const res = await pool.request({ path, method: 'POST', headers: { ...headers, 'x-bench-seq': String(seqStart + i), 'x-bench-sent': String(t) }, body });
        const text = await res.body.text();
        answers.push((nowUs() - started) / 1000);
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
        if (res.statusCode !== 200 && firstRefusals.length < 3) firstRefusals.push(`${res.statusCode} ${text.slice(0, 300)}`);
      } catch (err) {
        statuses.error = (statuses.error ?? 0) + 1;
        if (firstErrors.length < 3) firstErrors.push(err.message);
      }
    }));
  } finally {
    await pool.destroy();
  }
  return { sent: count, accepted: statuses[200] ?? 0, statuses, firstRefusals, firstErrors, answer: latencySummary(answers) };
}
