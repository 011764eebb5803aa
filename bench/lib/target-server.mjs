// The delivery target, in a process of its own so that the load generator does not delay its
// clock. It answers 200 at once and records, per arrival: the sequence number the benchmark put
// in `x-bench-seq` (to find lost and repeated deliveries), when the last body ended, and, from
// `x-bench-sent`, how long after the client sent the original request it arrived. Both clocks
// are CLOCK_MONOTONIC, which Linux shares between processes. Driven over IPC by target.mjs.
// Given a delay (ms) it holds each answer that long, and counts the most requests it had at once.
import http from 'node:http';

const nowUs = () => Number(process.hrtime.bigint() / 1000n);

let seen = new Uint8Array(1 << 16);
let count = 0;
let unique = 0;
let duplicates = 0;
let firstUs = 0;
let lastUs = 0;
let lastEndUs = 0;
let latencies = new Float64Array(1 << 16);
let nLat = 0;
const delayMs = Number(process.argv[3] ?? 0);
let inFlight = 0;
let maxInFlight = 0;
// The slowest arrivals, [seq, ms]: when in a run the time was lost.
let slowest = [];

function reset() {
  seen.fill(0);
  count = unique = duplicates = nLat = maxInFlight = 0;
  slowest = [];
  firstUs = lastUs = lastEndUs = 0;
}

function record(seqHeader, sentHeader) {
  const at = nowUs();
  count++;
  if (firstUs === 0) firstUs = at;
  lastUs = at;
  if (seqHeader === undefined) return;
  const seq = Number(seqHeader);
  if (!Number.isInteger(seq) || seq < 0) return;
  if (seq >= seen.length) {
    const bigger = new Uint8Array(Math.max(seq + 1, seen.length * 2));
    bigger.set(seen);
    seen = bigger;
  }
  if (seen[seq]) {
    duplicates++;
    return;
  }
  seen[seq] = 1;
  unique++;
  if (sentHeader !== undefined) {
    if (nLat === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    const ms = (at - Number(sentHeader)) / 1000;
    latencies[nLat++] = ms;
    if (slowest.length < 5 || ms > slowest[4][1]) slowest = [...slowest, [seq, ms]].sort((a, b) => b[1] - a[1]).slice(0, 5);
  }
}

function missing(upTo) {
  const out = [];
  for (let i = 0; i < upTo && out.length < 20; i++) if (i >= seen.length || !seen[i]) out.push(i);
  return out;
}

function latencySummary() {
  const sorted = latencies.slice(0, nLat).sort();
  const at = (p) => (nLat === 0 ? NaN : sorted[Math.min(nLat - 1, Math.max(0, Math.ceil((p / 100) * nLat) - 1))]);
  return { n: nLat, p50: at(50), p90: at(90), p99: at(99), max: nLat ? sorted[nLat - 1] : NaN };
}

const server = http.createServer((req, res) => {
  record(req.headers['x-bench-seq'], req.headers['x-bench-sent']);
  req.resume();
  maxInFlight = Math.max(maxInFlight, ++inFlight);
  req.on('end', () => {
    lastEndUs = nowUs();
    const answer = () => {
      inFlight--;
      res.end('ok');
    };
    if (delayMs > 0) setTimeout(answer, delayMs);
    else answer();
  });
});
server.keepAliveTimeout = 60_000;

process.on('message', (msg) => {
  switch (msg.cmd) {
    case 'reset':
      reset();
      return process.send({ id: msg.id });
    case 'count':
      return process.send({ id: msg.id, count, unique, duplicates });
    case 'stats':
      return process.send({
        id: msg.id, count, unique, duplicates, firstUs, lastUs, lastEndUs, maxInFlight, slowest,
        latency: latencySummary(),
        missing: msg.expected === undefined ? [] : missing(msg.expected),
      });
    default:
      return process.send({ id: msg.id, error: `unknown command ${msg.cmd}` });
  }
});
process.on('disconnect', () => process.exit(0));

// A port of its own when given one: a target that was down comes back where its requests go.
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => process.send({ ready: true, port: server.address().port }));
