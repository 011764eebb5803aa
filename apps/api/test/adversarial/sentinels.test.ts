// Sentinels that misbehave: one that accepts connections and never answers, one that speaks
// something else than Redis, one that names a primary where nothing listens. Start-up must end
// within its bound (exit 78) or the api must answer 503 within REDIS_TIMEOUT_MS: never a hang.
import net from 'node:net';
import { afterAll, describe, expect, it } from '@jest/globals';
import { apiStartOutcome, freePort, request, startApi, stopAll, uniquePrefix, type ChildHandle } from '@knocker/test-kit';

const servers: net.Server[] = [];
const children: ChildHandle[] = [];
afterAll(async () => {
  await stopAll(children);
  for (const s of servers) s.close();
});

async function listen(onConnection: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer(onConnection);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

const bulk = (s: string) => `$${Buffer.byteLength(s)}\r\n${s}\r\n`;

/** A sentinel that names `primaryPort` on 127.0.0.1 as the primary of any name. */
function fakeSentinel(primaryPort: number): Promise<number> {
  return listen((socket) => {
    let buffered = '';
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      buffered += chunk.toString('latin1');
      // Whole commands only: *N then N bulk strings, each a length line and a value line.
      for (;;) {
        const lines = buffered.split('\r\n');
        const count = Number(lines[0]?.slice(1));
        if (!(count > 0) || lines.length < 1 + 2 * count + 1) return;
        const args = Array.from({ length: count }, (_, i) => lines[2 + 2 * i]!.toLowerCase());
        buffered = lines.slice(1 + 2 * count).join('\r\n');
        if (args[0] === 'sentinel' && args[1] === 'get-master-addr-by-name') socket.write(`*2\r\n${bulk('127.0.0.1')}${bulk(String(primaryPort))}`);
        else if (args[0] === 'sentinel') socket.write('*0\r\n');
        else if (args[0] === 'info') socket.write(bulk('# Sentinel\r\nsentinel_masters:1\r\n'));
        else socket.write('+OK\r\n');
      }
    });
  });
}

describe('hostile sentinels', () => {
  it('a silent sentinel, and one that answers HTTP, end the start-up within its bound with exit 78', async () => {
    const silent = await listen((socket) => socket.on('error', () => undefined));
    const http = await listen((socket) => {
      socket.on('error', () => undefined);
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    });
    for (const port of [silent, http]) {
      const started = Date.now();
      const { exit, output } = await apiStartOutcome({ sentinels: { sentinels: `127.0.0.1:${port}`, name: 'main' }, prefix: uniquePrefix('adv-sentinel') });
      expect(exit === 'listening' ? 'listening' : exit.code).toBe(78);
      expect(output).toMatch(new RegExp(`REDIS_SENTINELS: no sentinel answered within 3000 ms \\(127\\.0\\.0\\.1:${port}\\)`));
      // The probe's bound (3 s) plus the process's own start and stop.
      expect(Date.now() - started).toBeLessThan(15_000);
    }
  }, 60_000);

  it('sentinels that name a primary where nothing listens: the api starts and answers 503 fast', async () => {
    const sentinel = await fakeSentinel(await freePort());
    const api = await startApi({ sentinels: { sentinels: `127.0.0.1:${sentinel}`, name: 'main' }, prefix: uniquePrefix('adv-sentinel'), env: { REDIS_TIMEOUT_MS: '500' } });
    children.push(api);
    for (let i = 0; i < 3; i++) {
      const reply = await request(`${api.url}/x`, { method: 'POST', headers: { 'Knocker-Host': 'example.com' }, body: 'x', timeoutMs: 5000 });
      expect(reply.status).toBe(503);
      expect(reply.ms).toBeLessThan(500 + 1500);
    }
  }, 60_000);
});
