import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { request, startApi, startRedis, stopAll, uniquePrefix, type ApiProcess, type RedisServer } from '@knocker/test-kit';

// A Redis of our own, so its command counts are the api's alone.
const SHARDS = 2;
const MAX_INFLIGHT = 30;
let redis: RedisServer;
let client: Redis;
let api: ApiProcess;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  redis = await startRedis({ appendonly: false });
  client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  api = await startApi({ redisUrl: redis.url, prefix: uniquePrefix('shared-reads'), env: { QUEUE_SHARDS: String(SHARDS), MAX_INFLIGHT: String(MAX_INFLIGHT) } });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await stopAll([api].filter(Boolean));
  client?.disconnect();
  await redis?.stop();
});

/** How often Redis ran a command (`client|list`, `hmget`) since it started. */
async function calls(command: string): Promise<number> {
  const line = (await client.info('commandstats')).split('\r\n').find((l) => l.startsWith(`cmdstat_${command}:`));
  return Number(/calls=(\d+)/.exec(line ?? '')?.[1] ?? 0);
}

/** `n` requests at once; the reads they caused, and the seconds they took. */
async function burst(n: number, path: string, command: string): Promise<{ reads: number; seconds: number; statuses: number[] }> {
  const before = await calls(command);
  const started = performance.now();
  const answers = await Promise.all(Array.from({ length: n }, () => request(`${api.url}${path}`, { timeoutMs: 20_000 })));
  const seconds = (performance.now() - started) / 1000;
  return { reads: (await calls(command)) - before, seconds, statuses: [...new Set(answers.map((a) => a.status))] };
}

describe('health and status under many requests', () => {
  it('GET /hc lists the clients of each shard at most once a second', async () => {
    const { reads, seconds, statuses } = await burst(60, '/hc', 'client|list');
    // Without a worker the workers check fails: 503, but after the read.
    expect(statuses).toEqual([503]);
    expect(reads).toBeGreaterThanOrEqual(SHARDS);
    expect(reads).toBeLessThanOrEqual(SHARDS * (Math.ceil(seconds) + 1));
  });

  it('the status page reads the counts of each shard at most once a second', async () => {
    // Each read of the counts asks for the delivered and failed totals of every shard: two HMGETs.
    const { reads, seconds, statuses } = await burst(MAX_INFLIGHT - 5, '/knocker/status', 'hmget');
    expect(statuses).toEqual([200]);
    expect(reads).toBeGreaterThanOrEqual(2 * SHARDS);
    expect(reads).toBeLessThanOrEqual(2 * SHARDS * (Math.ceil(seconds) + 1));
  });
});

/** Sends the head of a POST and part of its body, then stalls: the request stays in flight. */
function stalledRequest(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(api.port, '127.0.0.1', () => {
      socket.write('POST /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nKnocker-Host: target.example\r\nContent-Length: 100\r\n\r\nhalf');
      resolve(socket);
    });
    socket.on('error', reject);
    sockets.push(socket);
  });
}

describe("Knocker's own routes and MAX_INFLIGHT", () => {
  it('share the relay gate; health and metrics stay outside it', async () => {
    const stalled = await Promise.all(Array.from({ length: MAX_INFLIGHT }, stalledRequest));
    await new Promise((r) => setTimeout(r, 200));
    for (const [method, path] of [['GET', '/knocker/status'], ['GET', '/knocker/openapi.json'], ['POST', '/knocker/log?id=x'], ['GET', '/knocker/requests/x'], ['POST', '/hook']]) {
      const res = await request(`${api.url}${path}`, { method, headers: { 'Knocker-Host': 'target.example' }, body: method === 'POST' ? 'line' : undefined });
      expect([method, path, res.status, res.json().code]).toEqual([method, path, 429, 'too_many_requests']);
    }
    expect((await request(`${api.url}/hc/_self`)).status).toBe(200);
    expect((await request(`${api.url}/metrics`)).status).toBe(200);
    for (const s of stalled) s.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect((await request(`${api.url}/knocker/status`)).status).toBe(200);
  });
});
