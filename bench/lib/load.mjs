// Closed-loop load with autocannon: a fixed number of connections, each sending its next
// request when the previous answer arrives.
import autocannon from 'autocannon';

export async function closedLoop({ url, headers, body, connections, seconds, amount }) {
  const started = performance.now();
  let last = started;
  const r = await new Promise((resolve, reject) => {
    const run = autocannon(
      { url, method: 'POST', headers, body, connections, timeout: 30, ...(amount !== undefined ? { amount } : { duration: seconds }) },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
    if (amount !== undefined) run.on('response', () => (last = performance.now()));
  });
  // autocannon notices that `amount` requests are done only at its next one-second tick: time
  // such a run to its last answer.
  const elapsed = amount !== undefined ? (last - started) / 1000 : r.duration;
  return {
    rate: r['2xx'] / elapsed,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    seconds: elapsed,
  };
}

/** A run with refused or failed requests measured something else than ingest. */
export function assertClean(what, r) {
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(`${what}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts out of ${r.ok + r.non2xx + r.errors}`);
  }
}
