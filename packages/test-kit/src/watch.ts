import { readFileSync } from 'node:fs';
import { request } from './http.js';
import { sleep } from './wait.js';

/** A process to keep an eye on: its pid, and the health check it serves. */
export interface Watched {
  name: string;
  pid: number;
  /** Answers 200 while the process is healthy, e.g. a worker's `<metrics url>/hc`. */
  healthUrl: string;
  /** Its resident memory at rest after a warm-up, the base of the RSS bound. */
  idleRss: number;
}

export interface WatchOptions {
  /** Between the end of one health probe and the start of the next. Default 200. */
  everyMs?: number;
  /** A probe still unanswered after this long counts as this long. Default 3000. */
  probeTimeoutMs?: number;
  /**
   * A frozen or runaway process must not hold the machine: SIGKILL it once its health went
   * unanswered this long, or its RSS passed `killAboveRssFactor` × its idle RSS. The kill is
   * reported; the case fails on it. Defaults 10000 and 4.
   */
  killAfterMs?: number;
  killAboveRssFactor?: number;
}

/** What one process did while watched. */
export interface WatchReport {
  name: string;
  pid: number;
  probes: number;
  /** Probes answered other than 200, or not at all within probeTimeoutMs. */
  failed: number;
  /** The slowest probe, in ms (probeTimeoutMs for one never answered). */
  worstMs: number;
  idleRss: number;
  peakRss: number;
  /** It was gone before the watch ended. */
  exited: boolean;
  /** Why the watch SIGKILLed it, if it did. */
  killed?: string;
}

/** What a process may do under attack: health within `healthMs`, RSS within `rssFactor` × idle. */
export interface HealthBounds {
  healthMs: number;
  rssFactor: number;
}

export const HEALTH_BOUNDS: HealthBounds = { healthMs: 1000, rssFactor: 2 };

/** Probes each process's health and reads its RSS until stopped; see WatchOptions. */
export function watchProcesses(processes: readonly Watched[], opts: WatchOptions = {}): { stop(): Promise<WatchReport[]> } {
  let running = true;
  const loops = processes.map((p) => watchOne(p, opts, () => running));
  return {
    async stop() {
      running = false;
      return Promise.all(loops);
    },
  };
}

async function watchOne(p: Watched, opts: WatchOptions, running: () => boolean): Promise<WatchReport> {
  const everyMs = opts.everyMs ?? 200;
  const probeTimeoutMs = opts.probeTimeoutMs ?? 3000;
  const killAfterMs = opts.killAfterMs ?? 10_000;
  const hardRss = p.idleRss * (opts.killAboveRssFactor ?? 4);
  const report: WatchReport = { name: p.name, pid: p.pid, probes: 0, failed: 0, worstMs: 0, idleRss: p.idleRss, peakRss: 0, exited: false };
  let lastHealthy = Date.now();
  const kill = (why: string): void => {
    report.killed = why;
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      // gone already
    }
  };
  while (running() && !report.exited && report.killed === undefined) {
    const started = performance.now();
    const ok = await request(p.healthUrl, { timeoutMs: probeTimeoutMs }).then((r) => r.status === 200, () => false);
    const ms = Math.min(probeTimeoutMs, performance.now() - started);
    report.probes++;
    report.worstMs = Math.max(report.worstMs, Math.round(ms));
    if (ok) lastHealthy = Date.now();
    else report.failed++;
    const rss = rssOf(p.pid);
    if (rss === undefined) report.exited = true;
    else {
      report.peakRss = Math.max(report.peakRss, rss);
      if (rss > hardRss) kill(`RSS ${mb(rss)} passed ${mb(hardRss)}`);
      else if (Date.now() - lastHealthy > killAfterMs) kill(`health unanswered for ${Date.now() - lastHealthy} ms`);
    }
    await sleep(Math.max(0, everyMs - ms));
  }
  return report;
}

/** Everything a watched process did outside the bounds, in words; empty when it stayed healthy. */
export function watchViolations(reports: readonly WatchReport[], bounds: HealthBounds = HEALTH_BOUNDS): string[] {
  const out: string[] = [];
  for (const r of reports) {
    const who = `${r.name} (pid ${r.pid})`;
    if (r.killed !== undefined) out.push(`${who} was killed by the watch: ${r.killed}`);
    else if (r.exited) out.push(`${who} exited under attack`);
    if (r.probes === 0) out.push(`${who}: no health probe ran`);
    if (r.failed > 0) out.push(`${who}: ${r.failed} of ${r.probes} health probes failed or went unanswered`);
    if (r.worstMs > bounds.healthMs) out.push(`${who}: slowest health answer ${r.worstMs} ms, over ${bounds.healthMs} ms`);
    const rssBound = r.idleRss * bounds.rssFactor;
    if (r.peakRss > rssBound) out.push(`${who}: RSS peaked at ${mb(r.peakRss)}, over ${bounds.rssFactor} × its idle ${mb(r.idleRss)}`);
  }
  return out;
}

/** VmRSS of /proc/<pid>/status in bytes, or undefined when the process is gone. */
export function rssOf(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    // A zombie has no VmRSS line: it holds no memory and is as good as gone.
    if (/^State:\s+Z/m.test(status)) return undefined;
    return parseVmRss(status);
  } catch {
    return undefined;
  }
}

/** The VmRSS line of a /proc/<pid>/status text, in bytes (undefined without one). */
export function parseVmRss(status: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) * 1024 : undefined;
}

/** The median of a few RSS readings `everyMs` apart: a process at rest, give or take a GC. */
export async function restingRss(pid: number, samples = 5, everyMs = 200): Promise<number> {
  const seen: number[] = [];
  for (let i = 0; i < samples; i++) {
    const rss = rssOf(pid);
    if (rss === undefined) throw new Error(`process ${pid} is gone: no resting RSS`);
    seen.push(rss);
    if (i + 1 < samples) await sleep(everyMs);
  }
  seen.sort((a, b) => a - b);
  return seen[Math.floor(seen.length / 2)] as number;
}

const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;
