// Child processes of a benchmark: node scripts whose output goes straight to a log file (so a
// chatty process never waits on a pipe the runner forgot to read), ready when a line appears.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 15_000;

// Every process this run started, so none outlives it, whatever way the run ends.
const running = new Set();
process.on('exit', () => {
  for (const pid of running) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Kills `pid` when this process exits, unless forgotten first. */
export function killOnExit(pid) {
  running.add(pid);
  return () => running.delete(pid);
}

/**
 * Starts `node [nodeArgs] entry` with `env` over the current environment and waits until its
 * log matches `ready` (a RegExp) or `ready()` resolves true. `logDir` keeps one file per process.
 */
export async function startNode({ name, entry, env = {}, nodeArgs = [], ready, logDir, cwd, readyTimeoutMs = READY_TIMEOUT_MS }) {
  const logFile = join(logDir, `${name}.log`);
  const fd = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, entry], { env: { ...process.env, ...env }, stdio: ['ignore', fd, fd], cwd });
  closeSync(fd);
  const forget = killOnExit(child.pid);
  let exit;
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      forget();
      resolve((exit = { code, signal }));
    });
    child.once('error', (err) => resolve((exit = { code: null, signal: null, error: err.message })));
  });
  const log = () => { try { return readFileSync(logFile, 'utf8'); } catch { return ''; } };
  const tail = (lines = 30) => log().split('\n').slice(-lines).join('\n');
  const handle = {
    name,
    pid: child.pid,
    logFile,
    exited,
    alive: () => exit === undefined,
    tail,
    /** VmRSS and VmHWM (peak) in bytes, read from /proc. */
    memory() {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const kb = (field) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
        return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
      } catch {
        return { rss: NaN, hwm: NaN };
      }
    },
    /** CPU time (user + system, all threads) used so far, in ms. */
    cpuMs: () => cpuMsOf(child.pid),
    /** SIGTERM, then SIGKILL if it is still there after the grace period. */
    async stop() {
      if (exit !== undefined) return exit;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      try { return await exited; } finally { clearTimeout(timer); }
    },
  };
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (ready instanceof RegExp ? ready.test(log()) : await ready().catch(() => false)) return handle;
    if (exit !== undefined) throw new Error(`${name} exited before it was ready (${describe(exit)}):\n${tail()}`);
    if (Date.now() > deadline) {
      await handle.stop();
      throw new Error(`${name} was not ready (${ready}) within ${readyTimeoutMs} ms:\n${tail()}`);
    }
    await sleep(25);
  }
}

// Clock ticks per second of /proc/<pid>/stat; 100 on Linux.
const TICKS = 100;

export function cpuMsOf(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces): state is field 3, utime 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS;
  } catch {
    return NaN;
  }
}

/** The pids whose parent is `pid` (from /proc). */
export function childrenOf(pid) {
  const out = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** VmRSS of a pid in bytes, NaN once it is gone. */
export function rssOf(pid) {
  try {
    return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) * 1024;
  } catch {
    return NaN;
  }
}

/**
 * Proportional set size of a pid in bytes, NaN once it is gone: pages shared with other
 * processes (the node binary, its libraries) count as a share of each, so the PSS of several
 * processes adds up to the memory they take together, where their RSS counts shared pages in each.
 */
export function pssOf(pid) {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? NaN) * 1024;
  } catch {
    return NaN;
  }
}

/** A readiness probe: GET url answers 200. */
export function answers200(url) {
  const probe = () => fetch(url, { signal: AbortSignal.timeout(1000) }).then((r) => r.status === 200);
  probe.toString = () => `GET ${url} answering 200`;
  return probe;
}

export function describe(exit) {
  return exit.error ?? (exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`);
}

/** Throws if any of the processes died: a measurement taken meanwhile means nothing. */
export function assertAlive(handles) {
  for (const h of handles) {
    if (!h.alive()) throw new Error(`${h.name} (pid ${h.pid}) died during the measurement:\n${h.tail()}`);
  }
}
