// Runner side of target-server.mjs.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { killOnExit } from './procs.mjs';

/** `port`: where to listen, any free one by default; `delayMs`: how long each answer is held. */
export async function startTarget({ port: at = 0, delayMs = 0 } = {}) {
  const child = fork(fileURLToPath(new URL('./target-server.mjs', import.meta.url)), [String(at), String(delayMs)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const forget = killOnExit(child.pid);
  const pending = new Map();
  let nextId = 1;
  const port = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the target exited before it was ready (code ${code})`)));
    child.on('message', (msg) => {
      if (msg.ready) return resolve(msg.port);
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(msg.error));
      else p?.resolve(msg);
    });
  });
  let exited = false;
  child.once('exit', () => {
    forget();
    exited = true;
    for (const p of pending.values()) p.reject(new Error('the target exited'));
  });
  const call = (cmd, extra = {}) => new Promise((resolve, reject) => {
    if (exited) return reject(new Error('the target exited'));
    const id = nextId++;
    pending.set(id, { resolve, reject });
    child.send({ id, cmd, ...extra });
  });
  return {
    name: 'target',
    pid: child.pid,
    port,
    host: `127.0.0.1:${port}`,
    url: `http://127.0.0.1:${port}`,
    alive: () => !exited,
    tail: () => '',
    reset: () => call('reset'),
    /** { count, unique, duplicates } */
    count: () => call('count'),
    /** Counts, first and last arrival (µs, monotonic), latency p50/p90/p99/max in ms, most requests at once, first missing sequence numbers. */
    stats: (expected) => call('stats', { expected }),
    async stop() {
      if (exited) return;
      const gone = new Promise((resolve) => child.once('exit', resolve));
      child.disconnect();
      await gone;
    },
  };
}

/**
 * Until `n` distinct sequence numbers have arrived. A slow drain is a figure, not a failure:
 * this gives up only when nothing new arrived for `stallMs` (deliveries lost, or a worker
 * stuck), or after `capMs` in all. `check` runs at each poll (e.g. that every process lives).
 */
export async function waitForDeliveries(target, n, { what, check = () => undefined, stallMs = 30_000, capMs = 600_000 }) {
  const started = Date.now();
  let last = -1;
  let lastChange = started;
  for (;;) {
    const c = await target.count();
    if (c.unique >= n) return;
    check();
    const now = Date.now();
    if (c.unique !== last) [last, lastChange] = [c.unique, now];
    if (now - lastChange > stallMs || now - started > capMs) {
      const st = await target.stats(n);
      throw new Error(`${what}: ${n - c.unique} of ${n} accepted requests never arrived (none for ${Math.round((now - lastChange) / 1000)} s; first missing: ${st.missing.join(', ')})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
