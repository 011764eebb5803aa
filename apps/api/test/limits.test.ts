import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request, sharedRedisUrl, startApi, stopAll, uniquePrefix, type KnockerProcess } from '@knocker/test-kit';

let api: KnockerProcess;
const sockets: net.Socket[] = [];

beforeAll(async () => {
  api = await startApi({ redisUrl: sharedRedisUrl(), prefix: uniquePrefix('limits'), env: { MAX_INFLIGHT: '2', READ_TIMEOUT: '1' } });
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await stopAll([api]);
});

/** Sends the head of a POST and part of its body, then stalls: the request stays in flight. */
function stalledRequest(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(api.port, '127.0.0.1', () => {
      socket.write(`POST /slow HTTP/1.1\r\nHost: 127.0.0.1\r\nKnocker-Host: target.example\r\nContent-Length: 100\r\n\r\nhalf`);
      resolve(socket);
    });
    socket.on('error', reject);
    sockets.push(socket);
  });
}

const metric = async (series: string) => {
  const line = (await request(`${api.url}/metrics`)).text.split('\n').find((l) => l.startsWith(`${series} `));
  return Number(line?.split(' ')[1] ?? 0);
};

describe('MAX_INFLIGHT and READ_TIMEOUT', () => {
  it('refuses requests past MAX_INFLIGHT with 429 and Retry-After, counts them, and drops a request not read within READ_TIMEOUT', async () => {
    const first = await stalledRequest();
    await stalledRequest();
    await new Promise((r) => setTimeout(r, 100));

    const refused = await request(`${api.url}/x`, { method: 'POST', headers: { 'Knocker-Host': 'target.example' } });
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.json()).toEqual({ status: false, code: 'too_many_requests', errors: { server: [expect.stringMatching(/MAX_INFLIGHT/)] } });
    expect(await metric('knocker_requests_refused_total{reason="too_many_requests"}')).toBe(1);
    expect(await metric('http_requests_in_flight')).toBeGreaterThanOrEqual(2);
    // Health and metrics stay reachable while the relay is saturated.
    expect((await request(`${api.url}/hc/_self`)).status).toBe(200);

    // READ_TIMEOUT (1 s) ends the stalled requests: the server answers 408 and closes.
    const answer = await new Promise<string>((resolve) => {
      let data = '';
      first.on('data', (d) => (data += d)).on('close', () => resolve(data));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    const accepted = await request(`${api.url}/x`, { method: 'POST', headers: { 'Knocker-Host': 'target.example' } });
    expect(accepted.status).toBe(200);
  });
});
