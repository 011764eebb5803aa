import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHttpClient, deliver, type Call } from './call.js';

// One real server on loopback; each path is one way of answering.
let server: http.Server;
let base = '';
let connections = 0;
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
const client = createHttpClient({ maxRedirects: 3, agents });

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('size') ?? 2);
    if (req.url?.startsWith('/reset')) {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => req.socket.destroy(), 20);
      return;
    }
    if (req.url?.startsWith('/slow')) return void setTimeout(() => res.end('late'), 500);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(Buffer.alloc(size, 'y'));
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  agents.http.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const call = (path: string, extra: Partial<Call> = {}): Call => ({ method: 'POST', url: `${base}${path}`, headers: [], body: Buffer.from('{}'), timeoutMs: 2000, ...extra });

describe('deliver', () => {
  it('keeps the connection of small answers for the next call', async () => {
    const before = connections;
    for (let i = 0; i < 5; i++) expect(await deliver(client, call('/?size=1000'))).toMatchObject({ ok: true, statusCode: 200 });
    expect(connections - before).toBe(1);
  });

  it('closes the connection of an answer longer than it reads, rather than read on', async () => {
    await deliver(client, call('/'));
    const before = connections;
    expect(await deliver(client, call(`/?size=${50 * 1024 * 1024}`))).toMatchObject({ ok: true, statusCode: 200 });
    expect(connections).toBe(before);
    expect(await deliver(client, call('/'))).toMatchObject({ ok: true });
    expect(connections).toBe(before + 1);
  });

  it.each([
    [0, 0, false], [10, 0, false], [10, 10, false], [10, 11, true], [100_000, 70_000, false], [50_000, 5_000_000, true],
  ])('keeps at most %i bytes of a %i-byte answer for a success callback (cut: %j)', async (cap, size, truncated) => {
    const attempt = await deliver(client, call(`/?size=${size}`, { captureBody: cap }));
    expect(attempt.answer?.truncated).toBe(truncated);
    expect(attempt.answer?.body.length).toBe(Math.min(cap, size));
    expect(attempt.answer?.body.equals(Buffer.alloc(Math.min(cap, size), 'y'))).toBe(true);
    expect(attempt.answer?.headers).toContainEqual(['content-type', 'text/plain']);
  });

  it('fails with 502 when the answer breaks off, and 504 with the step when time runs out', async () => {
    expect(await deliver(client, call('/reset'))).toMatchObject({ ok: false, statusCode: 502, network: true, error: 'ECONNRESET: aborted' });
    const late = await deliver(client, call('/slow', { timeoutMs: 100 }));
    expect(late).toMatchObject({ ok: false, statusCode: 504, network: true, error: 'ETIMEDOUT: timeout after 100 ms, waiting for the answer' });
    expect(late.durationMs).toBeLessThan(400);
  });
});
