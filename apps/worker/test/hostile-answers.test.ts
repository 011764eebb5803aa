import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, sleep, startApi, startWorker, targetPool, uniquePrefix, waitFor, type ApiProcess, type KnockerProcess, type Recorded,
} from '@knocker/test-kit';

// Answers a target chooses to make as costly as it can: every one must end within its bound,
// leave the worker responsive, and keep its memory where it was.
const CAP = 1000;
let api: ApiProcess;
let worker: KnockerProcess;
const targets = targetPool();
const servers: http.Server[] = [];

beforeAll(async () => {
  const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('hostile') };
  [api, worker] = await Promise.all([startApi(opts), startWorker({ ...opts, env: { SUCCESS_CALLBACK_MAX_BODY: String(CAP) } })]);
}, 60_000);

afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill(), targets.closeAll(), ...servers.map((s) => new Promise((r) => s.close(r)))]);
});

async function knock(headers: Array<[string, string]>, path = '/hook') {
  const res = await request(`${api.url}${path}`, { method: 'POST', headers: [['Knocker-Backoff-Factor', '0'], ['Knocker-Retries', '0'], ...headers], body: '{}' });
  expect(res.status).toBe(200);
  return res.json().config.id as string;
}

const bodyOf = (r: Recorded | undefined) => JSON.parse(r?.body.toString() ?? '');

/** A target that answers by itself writing the body: what it does with each answer is `write`'s. */
async function rawTarget(write: (res: http.ServerResponse, req: http.IncomingMessage) => void): Promise<{ host: string; closed: number[] }> {
  const closed: number[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    const at = Date.now();
    res.on('close', () => closed.push(Date.now() - at));
    write(res, req);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { host: `127.0.0.1:${(server.address() as AddressInfo).port}`, closed };
}

/** Writes `total` bytes as fast as the reader takes them, and stops when the connection goes. */
function stream(res: http.ServerResponse, total: number): void {
  const chunk = Buffer.alloc(64 * 1024, 'x');
  let sent = 0;
  const more = (): void => {
    while (sent < total && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end();
  };
  more();
}

/** Resident bytes of a process, 0 once it is gone. */
function rssOf(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

describe('a hostile Knocker-Error-Code', () => {
  it('is matched against Knocker-Catch while the worker keeps answering its health check', async () => {
    const t = await targets.start(() => ({ status: 500, headers: { 'Knocker-Error-Code': 'a'.repeat(200) } }));
    const cb = await targets.start();
    const slowest: number[] = [];
    let done = false;
    const probing = (async () => {
      while (!done) {
        const res = await request(`${worker.url}/hc`, { timeoutMs: 5000 }).catch(() => undefined);
        slowest.push(res?.ms ?? Number.POSITIVE_INFINITY);
        await sleep(100);
      }
    })();
    await knock([['Knocker-Host', t.host], ['Knocker-Catch', `${'*a'.repeat(12)}*b, request.*`], ['Knocker-Callback', cb.url]]);
    try {
      const [callback] = await cb.waitForRequests(1, 15_000);
      expect(bodyOf(callback)).toMatchObject({ status_code: 500, error_code: expect.stringMatching(/^a+/) });
      await sleep(500);
    } finally {
      done = true;
      await probing;
    }
    expect(slowest.length).toBeGreaterThan(2);
    expect(Math.max(...slowest)).toBeLessThan(1000);
  });
});

describe('answers larger than anything Knocker keeps', () => {
  it('reads at most a bounded part of 100 MB answers to many deliveries at once, and the worker\'s memory stays put', async () => {
    const big = await rawTarget((res, req) => {
      res.writeHead(req.url === '/fail' ? 500 : 200, { 'content-type': 'application/octet-stream' });
      stream(res, 100 * 1024 * 1024);
    });
    const failed = await targets.start();
    const delivered = await targets.start();
    // Warm up, then take the worker's resting size.
    const warm = await targets.start();
    await knock([['Knocker-Host', warm.host]]);
    await warm.waitForRequests(1);
    await sleep(500);
    const idle = rssOf(worker.pid);
    let peak = idle;
    let watching = true;
    const watch = (async () => {
      while (watching) {
        peak = Math.max(peak, rssOf(worker.pid));
        // Far past the bound: stop the worker before it takes the machine down with it.
        if (peak > 4 * idle) {
          watching = false;
          await worker.kill('SIGKILL');
        }
        await sleep(20);
      }
    })();
    const n = 20;
    try {
      for (let i = 0; i < n; i++) {
        const fail = i % 2 === 1;
        await knock([
          ['Knocker-Host', big.host], ['Knocker-Timeout', '30'],
          fail ? ['Knocker-Callback', failed.url] : ['Knocker-Success-Callback', delivered.url],
        ], fail ? '/fail' : '/ok');
      }
      const [oks, fails] = await Promise.all([delivered.waitForRequests(n / 2, 30_000), failed.waitForRequests(n / 2, 30_000)]);
      for (const r of fails) expect(bodyOf(r)).toMatchObject({ status_code: 500, attempts: 1 });
      for (const r of oks) {
        const body = bodyOf(r);
        expect(body).toMatchObject({ status_code: 200, body_truncated: true });
        expect(Buffer.from(body.body, 'base64')).toEqual(Buffer.alloc(CAP, 'x'));
      }
    } finally {
      watching = false;
      await watch;
    }
    // Every answer was cut off by the worker, long before its end.
    await waitFor(() => big.closed.length === n, { what: 'every answer to be closed' });
    expect(peak).toBeLessThan(2 * idle);
  }, 90_000);
});

describe('one deadline per attempt', () => {
  it('ends an answer dripping its body at Knocker-Timeout, and says so', async () => {
    const drip = await rawTarget((res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => res.write('x'), 100);
      res.on('close', () => clearInterval(timer));
    });
    const cb = await targets.start();
    const id = await knock([['Knocker-Host', drip.host], ['Knocker-Timeout', '1'], ['Knocker-Callback', cb.url]]);
    const [callback] = await cb.waitForRequests(1, 15_000);
    expect(bodyOf(callback)).toMatchObject({ status_code: 504, attempts: 1 });
    expect(worker.output()).toMatch(new RegExp(`Request #${id} .* 504 failed, no attempts left: ETIMEDOUT: timeout after 1000 ms, reading the answer's body`));
    expect(drip.closed).toHaveLength(1);
    expect(drip.closed[0]).toBeLessThan(5000);
  });

  it('spans every redirect: a chain of slow hops ends at Knocker-Timeout, not one timeout per hop', async () => {
    const t = await targets.start((r) => ({ status: 302, headers: { location: `/hop/${r.n}` }, delayMs: 400 }));
    const cb = await targets.start();
    const id = await knock([['Knocker-Host', t.host], ['Knocker-Timeout', '1'], ['Knocker-Callback', cb.url]]);
    const [callback] = await cb.waitForRequests(1, 15_000);
    expect(bodyOf(callback)).toMatchObject({ status_code: 504, attempts: 1 });
    // 400 ms a hop: three at most fit in one second, where a timeout per hop allowed all eleven.
    expect(t.requests.length).toBeLessThanOrEqual(3);
    expect(worker.output()).toMatch(new RegExp(`Request #${id} .* 504 .*timeout after 1000 ms, waiting for the answer after [12] redirects`));
  });
});
