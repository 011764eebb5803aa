import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, request, sharedRedisUrl, startApi, startWorker, stopAll, uniquePrefix, waitFor, type ApiProcess, type ChildHandle } from '@knocker/test-kit';

// A local stand-in for Sentry that keeps the envelopes the SDK really sends.
const envelopes: string[] = [];
let sentry: Server;
let api: ApiProcess;
const children: ChildHandle[] = [];

beforeAll(async () => {
  sentry = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c)).on('end', () => {
      const raw = Buffer.concat(chunks);
      envelopes.push((req.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString());
      res.end('{}');
    });
  });
  await new Promise<void>((r) => sentry.listen(0, '127.0.0.1', r));
  const port = (sentry.address() as { port: number }).port;
  const opts = {
    redisUrl: sharedRedisUrl(), prefix: uniquePrefix('sentry'),
    env: { SENTRY_DSN: `http://key@127.0.0.1:${port}/42`, SENTRY_FAILED_REQUESTS: 'true' },
  };
  api = await startApi(opts);
  children.push(api, await startWorker(opts));
});
afterAll(async () => {
  await stopAll(children);
  await new Promise((r) => sentry?.close(r));
});

describe('SENTRY_FAILED_REQUESTS', () => {
  it('reports a request whose attempts were all spent', async () => {
    const closed = await freePort();
    const res = await request(`${api.url}/lost`, {
      method: 'POST', headers: { 'Knocker-Host': `127.0.0.1:${closed}`, 'Knocker-Retries': '0', 'Knocker-Id': 'sentry-1' },
    });
    expect(res.status).toBe(200);
    const event = await waitFor(() => envelopes.find((e) => e.includes('Request failed')), { timeoutMs: 10_000, what: 'a Sentry envelope' });
    expect(event).toContain(`/lost 502`);
    expect(event).toContain('sentry-1');
  });
});
