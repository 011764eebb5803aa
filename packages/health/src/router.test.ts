import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import express from 'express';
import { createHealthRouter, type HealthCheck, type HealthOptions } from './index.js';

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

async function serve(overrides: Partial<HealthOptions>, checks: HealthCheck[] = []): Promise<string> {
  const app = express();
  app.use('/hc', createHealthRouter({
    checks, detailed: false, timeoutMs: 500, cache: { seconds: 0, mode: 'header' }, apiKey: '', corsOrigin: '', shuttingDown: () => false, ...overrides,
  }));
  await new Promise<void>((r) => (server = app.listen(0, '127.0.0.1', () => r())));
  const { port } = server?.address() as { port: number };
  return `http://127.0.0.1:${port}/hc`;
}

const ok = (path: string, counter?: { n: number }): HealthCheck => ({ name: path, path, run: async () => void (counter && counter.n++) });
const broken = (path: string): HealthCheck => ({ name: path, path, run: async () => { throw new Error('connection refused'); } });
const slow = (path: string): HealthCheck => ({ name: path, path, run: () => new Promise((r) => setTimeout(r, 1000)) });

describe('health endpoint', () => {
  it('answers OK when every check passes and ServiceUnavailable when one fails', async () => {
    const healthy = await serve({}, [ok('redis')]);
    let res = await fetch(healthy);
    expect([res.status, await res.text()]).toEqual([200, 'OK']);
    server?.close();
    const sick = await serve({}, [ok('redis'), broken('workers')]);
    res = await fetch(sick);
    expect([res.status, await res.text()]).toEqual([503, 'ServiceUnavailable']);
    res = await fetch(`${sick}/redis`);
    expect(res.status).toBe(200);
    res = await fetch(`${sick}/_self`);
    expect(res.status).toBe(200);
    res = await fetch(`${sick}/nope`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { errors: { path: string[] } }).errors.path[0]).toMatch(/known: _self, redis, workers/);
  });

  it("gives BeatPulse's detailed JSON, for all checks and for one", async () => {
    const url = await serve({ detailed: true }, [ok('redis'), broken('workers')]);
    const res = await fetch(url);
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body).toEqual({
      checks: [
        { name: 'self', path: '_self', message: 'OK', milliSeconds: expect.any(Number), run: true, isHealthy: true },
        { name: 'redis', path: 'redis', message: 'OK', milliSeconds: expect.any(Number), run: true, isHealthy: true },
        { name: 'workers', path: 'workers', message: 'connection refused', milliSeconds: expect.any(Number), run: true, isHealthy: false },
      ],
      startedAtUtc: expect.stringMatching(/Z$/), endAtUtc: expect.stringMatching(/Z$/), code: '503', reason: 'workers: connection refused',
    });
    const one = await (await fetch(`${url}/redis`)).json();
    expect(one).toMatchObject({ checks: [{ path: 'redis', isHealthy: true }], code: '200', reason: '' });
  });

  it('fails a check slower than the timeout and says so', async () => {
    const url = await serve({ detailed: true, timeoutMs: 100 }, [slow('redis')]);
    const started = Date.now();
    const body = (await (await fetch(`${url}/redis`)).json()) as { checks: unknown[] };
    expect(Date.now() - started).toBeLessThan(900);
    expect(body.checks[0]).toMatchObject({ isHealthy: false, message: 'timed out after 100 ms' });
  });

  it('caches in memory: no check runs again until the time has passed', async () => {
    const counter = { n: 0 };
    const url = await serve({ cache: { seconds: 60, mode: 'memory' } }, [ok('redis', counter)]);
    await fetch(url);
    await fetch(url);
    const res = await fetch(url);
    expect(counter.n).toBe(1);
    expect(res.headers.get('cache-control')).toBeNull();
  });

  it('caches with a header only: every request runs the checks', async () => {
    const counter = { n: 0 };
    const url = await serve({ cache: { seconds: 30, mode: 'header' } }, [ok('redis', counter)]);
    const res = await fetch(url);
    await fetch(url);
    expect(res.headers.get('cache-control')).toBe('public, max-age=30');
    expect(counter.n).toBe(2);
  });

  it('caches both ways with header+memory', async () => {
    const counter = { n: 0 };
    const url = await serve({ cache: { seconds: 30, mode: 'header+memory' } }, [ok('redis', counter)]);
    await fetch(url);
    const res = await fetch(url);
    expect(res.headers.get('cache-control')).toBe('public, max-age=30');
    expect(counter.n).toBe(1);
  });

  it('requires the api key when one is set', async () => {
    const url = await serve({ apiKey: 'k3y' }, [ok('redis')]);
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(`${url}?api-key=wrong`)).status).toBe(401);
    const res = await fetch(`${url}/redis?api-key=k3y`);
    expect([res.status, await res.text()]).toEqual([200, 'OK']);
  });

  it('sends CORS headers for the configured origin and answers preflights', async () => {
    const url = await serve({ corsOrigin: 'https://status.example' });
    const res = await fetch(url);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://status.example');
    const pre = await fetch(url, { method: 'OPTIONS' });
    expect(pre.status).toBe(204);
  });

  it('fails _self once the process is shutting down', async () => {
    let stopping = false;
    const url = await serve({ shuttingDown: () => stopping }, [ok('redis')]);
    expect((await fetch(url)).status).toBe(200);
    stopping = true;
    expect((await fetch(url)).status).toBe(503);
    expect((await fetch(`${url}/_self`)).status).toBe(503);
  });
});
