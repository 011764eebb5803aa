import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, startApi, startWorker, stopAll, targetPool, uniquePrefix, type ApiProcess, type ChildHandle, type Target,
} from '@knocker/test-kit';
import http from 'node:http';

const targets = targetPool();
const children: ChildHandle[] = [];
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
let api: ApiProcess;
let slowTarget: Target;

// Target A answers after a second and may have 2 requests at once; nothing limits B.
beforeAll(async () => {
  slowTarget = await targets.start(() => ({ status: 200, delayMs: 1000 }));
  const opts = {
    redisUrl: sharedRedisUrl(), prefix: uniquePrefix('flow-starve'),
    env: { MAX_EVENT_LOOP_DELAY_MS: '0', MAX_ANSWER_DELAY_MS: '0', WORKER_CONCURRENCY: '50', HOST_LIMITS: `${slowTarget.host} concurrency=2` },
  };
  api = await startApi(opts);
  children.push(api, ...(await Promise.all([startWorker(opts), startWorker(opts)])));
});
afterAll(async () => {
  await stopAll(children);
  await targets.closeAll();
  agent.destroy();
});

async function send(t: Target, n: number): Promise<void> {
  let next = 0;
  const one = async () => {
    while (next < n) {
      next += 1;
      const res = await request(`${api.url}/hook`, { method: 'POST', headers: { 'Knocker-Host': t.host }, body: 'x', agent });
      expect(res.status).toBe(200);
    }
  };
  await Promise.all(Array.from({ length: 16 }, one));
}

/** Milliseconds from the first request sent to B until B has seen all of them. */
async function timeB(n: number): Promise<number> {
  const b = await targets.start();
  const started = Date.now();
  await send(b, n);
  const seen = await b.waitForRequests(n, 120_000);
  return seen[n - 1]!.at - started;
}

describe('a slow target does not starve the others', () => {
  it('500 requests to B, sent while 200 wait for A, finish within twice the time B takes alone', async () => {
    const alone = await timeB(500);
    await send(slowTarget, 200);
    const before = slowTarget.requests.length;
    const contested = await timeB(500);
    const during = slowTarget.requests.length - before;
    console.log(`Starvation: B alone ${alone} ms; B while 200 wait for A ${contested} ms (${(contested / alone).toFixed(2)}x); A got ${during} meanwhile`);
    expect(contested).toBeLessThanOrEqual(2 * alone);
    // A was still being served, two at a time, and had not finished.
    expect(slowTarget.requests.length).toBeLessThan(200);
  }, 240_000);
});
