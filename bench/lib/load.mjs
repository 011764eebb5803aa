// Closed-loop load with autocannon: a fixed number of connections, each sending its next
// request when the previous answer arrives.
import autocannon from 'autocannon';

export async function closedLoop({ url, headers, body, connections, seconds, amount }) {
  const r = await autocannon({
    url, method: 'POST', headers, body, connections, timeout: 30,
    ...(amount !== undefined ? { amount } : { duration: seconds }),
  });
  return {
    rate: r['2xx'] / r.duration,
    p50: r.latency.p50,
    p99: r.latency.p99,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    seconds: r.duration,
  };
}

/** A run with refused or failed requests measured something else than ingest. */
export function assertClean(what, r) {
  if (r.non2xx > 0 || r.errors > 0 || r.timeouts > 0) {
    throw new Error(`${what}: ${r.non2xx} non-2xx answers, ${r.errors} errors, ${r.timeouts} timeouts out of ${r.ok + r.non2xx + r.errors}`);
  }
}
