import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canaryReport, canaryViolations } from './canary.js';
import { callbacksById, lostOf, type Settled } from './outcomes.js';
import { freePort } from './port.js';
import { startProcess, stopAll, type ChildHandle } from './process.js';
import type { Recorded } from './target.js';
import { parseVmRss, rssOf, watchProcesses, watchViolations, type WatchReport } from './watch.js';

const children: ChildHandle[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await stopAll(children, 'SIGKILL');
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

const MB = 2 ** 20;
const report = (over: Partial<WatchReport> = {}): WatchReport => ({
  name: 'worker', pid: 7, probes: 10, failed: 0, worstMs: 40, idleRss: 100 * MB, peakRss: 150 * MB, exited: false, ...over,
});

describe('watch verdicts', () => {
  it('reads VmRSS in bytes, and nothing without the line', () => {
    expect(parseVmRss('Name:\tnode\nVmPeak:\t  900 kB\nVmRSS:\t  123456 kB\nThreads:\t7\n')).toBe(123456 * 1024);
    expect(parseVmRss('Name:\tzombie\nState:\tZ (zombie)\n')).toBeUndefined();
    expect(rssOf(process.pid)).toBeGreaterThan(10 * MB);
    expect(rssOf(2 ** 22 + 12345)).toBeUndefined();
  });

  it('passes a process within bounds and names every bound broken', () => {
    expect(watchViolations([report()])).toEqual([]);
    expect(watchViolations([report({ worstMs: 1000, peakRss: 200 * MB })])).toEqual([]);
    expect(watchViolations([report({ worstMs: 1001, failed: 2, peakRss: 201 * MB, killed: 'health unanswered for 10000 ms' })])).toEqual([
      'worker (pid 7) was killed by the watch: health unanswered for 10000 ms',
      'worker (pid 7): 2 of 10 health probes failed or went unanswered',
      'worker (pid 7): slowest health answer 1001 ms, over 1000 ms',
      'worker (pid 7): RSS peaked at 201 MB, over 2 × its idle 100 MB',
    ]);
    expect(watchViolations([report({ exited: true }), report({ probes: 0 })])).toEqual(['worker (pid 7) exited under attack', 'worker (pid 7): no health probe ran']);
  });
});

describe('canary verdicts', () => {
  const accepted = new Map([['c-1', 1000], ['c-2', 2000], ['c-3', 3000]]);
  it('counts deliveries within the bound, late ones, and missing ones once their bound passed', () => {
    const delivered = new Map([['c-1', 1500], ['c-2', 9000]]);
    expect(canaryReport(accepted, delivered, 5000, 6000)).toMatchObject({ accepted: 3, delivered: 2, late: ['c-2'], worstMs: 7000 });
    expect(canaryReport(accepted, delivered, 5000, Infinity).late).toEqual(['c-2', 'c-3']);
  });
  it('names refusals, lateness and a canary that never got in', () => {
    const r = { ...canaryReport(accepted, new Map(), 5000, Infinity), sent: 4, refused: ['503'] };
    expect(canaryViolations(r, 5000)).toEqual([
      'canary: 1 of 4 ordinary requests refused (503)',
      'canary: 3 of 3 ordinary requests not delivered within 5000 ms (delivered 0)',
    ]);
    expect(canaryViolations({ sent: 0, accepted: 0, refused: [], delivered: 0, late: [], worstMs: 0 }, 1)).toEqual(['canary: no ordinary request was accepted']);
  });
});

describe('outcome verdicts', () => {
  const callback = (body: string): Recorded => ({ method: 'POST', url: '/failed', rawHeaders: [], headers: {}, body: Buffer.from(body), at: 0, n: 1 });
  it('reads failure callbacks by their request id, skipping what is not one', () => {
    const byId = callbacksById([callback('{"config":{"id":"a"},"status_code":500}'), callback('not json'), callback('{"id":"b"}')]);
    expect([...byId]).toEqual([['a', { config: { id: 'a' }, status_code: 500 }]]);
  });
  it('counts as lost what is neither delivered nor failed with a callback, grouped by where it stopped', () => {
    const o = (id: string, state: string, callback?: object): Settled => ({ id, state, attempts: [], ...(callback && { callback }) });
    expect(lostOf([o('a', 'delivered'), o('b', 'failed', {}), o('c', 'failed'), o('d', 'active'), o('e', 'active'), o('f', 'active'), o('g', 'active')]))
      .toEqual(['1 failed without a callback: c', '4 active: d, e, f, …']);
    expect(lostOf([])).toEqual([]);
  });
});

describe('the watch on a real process', () => {
  it('SIGKILLs a process whose health stops answering, and says so', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kt-watch-'));
    dirs.push(dir);
    const file = join(dir, 'freezes.mjs');
    // Healthy for a moment, then its event loop never comes back.
    await writeFile(file, `import http from 'node:http';
      http.createServer((_q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1', () => console.log('ready'));
      setTimeout(() => { for (;;); }, 600);`);
    const port = await freePort();
    const child = await startProcess({ name: 'freezes', entry: file, env: { PORT: String(port) }, ready: /ready/ });
    children.push(child);
    const watch = watchProcesses([{ name: 'freezes', pid: child.pid, healthUrl: `http://127.0.0.1:${port}/hc`, idleRss: rssOf(child.pid)! }], {
      probeTimeoutMs: 500, killAfterMs: 1500,
    });
    const exit = await child.exited;
    const [r] = await watch.stop();
    expect(exit.signal).toBe('SIGKILL');
    expect(r?.killed).toMatch(/^health unanswered for \d+ ms$/);
    expect(r?.probes).toBeGreaterThan(1);
    expect(watchViolations([r!]).length).toBeGreaterThan(0);
  }, 30_000);
});
