import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { createErrorReporter } from './sentry.js';

interface Received {
  path: string;
  items: unknown[];
}

// Sentry.init is global to the process, so this file initialises it once.
const received: Received[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    let body = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
    // An envelope: newline-delimited JSON, a header then item headers and payloads.
    const items = body
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as unknown);
    if (req.method === 'POST') received.push({ path: req.url ?? '', items });
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

type Event = { exception?: { values?: { value?: string }[] }; message?: unknown; extra?: Record<string, unknown>; release?: string };
const events = (): Event[] =>
  received.filter((r) => r.path.startsWith('/api/42/envelope/')).flatMap((r) => r.items as Event[]);

describe('createErrorReporter', () => {
  it('is a no-op without a dsn', async () => {
    const reporter = createErrorReporter({ dsn: '', release: 'knocker@test' });
    expect(reporter.enabled).toBe(false);
    expect(() => reporter.captureException(new Error('x'), { id: 'abc' })).not.toThrow();
    expect(() => reporter.captureMessage('x')).not.toThrow();
    await expect(reporter.flush()).resolves.toBe(true);
  });

  it('sends exceptions and messages to the dsn', async () => {
    const warn = jest.spyOn(console, 'warn');
    const error = jest.spyOn(console, 'error');
    const { port } = server.address() as AddressInfo;
    const reporter = createErrorReporter({ dsn: `http://publickey@127.0.0.1:${port}/42`, release: 'knocker@test', environment: 'test' });
    expect(reporter.enabled).toBe(true);
    // Starting must stay quiet: no loader or instrumentation warnings.
    expect(warn).not.toHaveBeenCalled();
    expect(error).not.toHaveBeenCalled();
    warn.mockRestore();
    error.mockRestore();

    reporter.captureException(new Error('boom'), { id: 'abc' });
    reporter.captureMessage('failed delivery');
    await expect(reporter.flush(5000)).resolves.toBe(true);

    const boom = events().find((e) => e.exception?.values?.some((v) => v.value === 'boom'));
    expect(boom).toBeDefined();
    expect(boom?.extra).toMatchObject({ id: 'abc' });
    expect(boom?.release).toBe('knocker@test');

    const message = events().find((e) => e.message === 'failed delivery');
    expect(message).toBeDefined();
  });
});
