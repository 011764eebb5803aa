import { afterAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { dripBytes, manyHeadersHead, startHostile, type Behaviour, type Hostile } from './hostile.js';
import { parseHits, spawnHostile } from './hostile-process.js';
import { loopbackTls } from './tls.js';

const started: Hostile[] = [];
afterAll(async () => {
  await Promise.all(started.map((h) => h.close()));
});

async function hostile(b: Behaviour, opts?: { tls?: boolean }): Promise<Hostile> {
  const h = await startHostile(b, opts);
  started.push(h);
  return h;
}

/** GETs url and reads at most `limit` bytes of the body before hanging up. */
function get(url: string, limit = Infinity, opts: https.RequestOptions = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; bytes: number }> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https') ? https : http;
    lib.get(url, { ...opts, agent: false }, (res) => {
      let bytes = 0;
      const done = () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes });
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes >= limit) {
          res.destroy();
          done();
        }
      });
      res.on('end', done);
    }).on('error', reject);
  });
}

describe('hostile answers, as bytes', () => {
  it('builds a head of many headers, numbered or repeating one name', () => {
    expect(manyHeadersHead(2)).toBe('HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\nx-h0: 0\r\nx-h1: 1\r\n\r\n');
    expect(manyHeadersHead(2, 'set-cookie')).toMatch(/set-cookie: 0\r\nset-cookie: 1\r\n\r\n$/);
  });
  it('drips the head, or sends it at once and drips the body', () => {
    const head = dripBytes('head');
    expect(head.now).toBe('');
    expect(head.slow).toMatch(/^HTTP\/1\.1 200 OK\r\nx-drip: d{2000}\r\ncontent-length: 2\r\n\r\nok$/);
    const body = dripBytes('body');
    expect(body.now).toBe('HTTP/1.1 200 OK\r\ncontent-length: 2000\r\n\r\n');
    expect(body.slow).toHaveLength(2000);
  });
  it('reads the hits a hostile child reported', () => {
    expect(parseHits('hostile listening on 1\nhit {"n":1,"url":"/a"}\nnoise\nhit {"n":2,"url":"/b"}\n').map((h) => h.url)).toEqual(['/a', '/b']);
  });
});

describe('hostile targets, served', () => {
  it('pours a body of the size asked, and an endless one until the client hangs up', async () => {
    const huge = await hostile({ kind: 'huge', status: 500, bytes: 3 * 2 ** 20 });
    expect(await get(`${huge.url}/x`)).toMatchObject({ status: 500, bytes: 3 * 2 ** 20 });
    const endless = await hostile({ kind: 'endless', status: 200 });
    const read = await get(endless.url, 5 * 2 ** 20);
    expect(read.status).toBe(200);
    expect(read.bytes).toBeGreaterThanOrEqual(5 * 2 ** 20);
    expect(endless.hits()).toHaveLength(1);
  });

  it('drips a byte at a time', async () => {
    const drip = await hostile({ kind: 'drip', part: 'head', everyMs: 100 });
    const socket = net.connect(drip.port, '127.0.0.1');
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise((r) => setTimeout(r, 650));
    socket.destroy();
    expect(got.length).toBeGreaterThanOrEqual(1);
    expect(got.length).toBeLessThanOrEqual(10);
    expect('HTTP/1.1 200 OK'.startsWith(got)).toBe(true);
  });

  it('answers thousands of headers', async () => {
    const many = await hostile({ kind: 'headers', count: 3000 });
    const raw = await new Promise<string>((resolve) => {
      let got = '';
      net.connect(many.port, '127.0.0.1').on('data', (d) => (got += d.toString())).on('close', () => resolve(got)).write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    expect(raw.match(/^x-h\d+: \d+\r$/gm)).toHaveLength(3000);
  });

  it('redirects, alone or along a chain of hops', async () => {
    const one = await hostile({ kind: 'redirect', location: 'http://elsewhere.test/x', status: 307 });
    expect(await get(one.url)).toMatchObject({ status: 307, headers: { location: 'http://elsewhere.test/x' } });
    const chain = await hostile({ kind: 'redirect-chain', hops: 3, delayMs: 10 });
    const res = await fetch(`${chain.url}/hop/0`);
    expect(res.status).toBe(200);
    expect(chain.hits().map((h) => h.url)).toEqual(['/hop/0', '/hop/1', '/hop/2', '/hop/3']);
  });

  it('speaks https with the loopback certificate', async () => {
    const secure = await hostile({ kind: 'error-code', code: 'tls.ok' }, { tls: true });
    expect(secure.url).toMatch(/^https:/);
    expect(await get(secure.url, Infinity, { ca: loopbackTls.cert })).toMatchObject({ status: 200, headers: { 'knocker-error-code': 'tls.ok' } });
  });

  it('runs in a child process, which reports its hits and is killed by close()', async () => {
    const child = await spawnHostile({ kind: 'huge', status: 200, bytes: 1000 });
    try {
      expect(await get(`${child.url}/spawned`)).toMatchObject({ status: 200, bytes: 1000 });
      await new Promise((r) => setTimeout(r, 100));
      expect(child.hits().map((h) => h.url)).toEqual(['/spawned']);
    } finally {
      await child.close();
    }
    expect(child.child.alive()).toBe(false);
  });
});
