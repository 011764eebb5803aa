import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, startApi, startTarget, startWorker, stopAll, uniquePrefix, type ApiProcess, type ChildHandle, type Target,
} from '@knocker/test-kit';

// The names resolve only inside the apps, without DNS; the kit's safety net would stop any
// connection off loopback, so a broken guard fails these tests instead of sending a packet.
const fakeDns = {
  'metadata.test': ['169.254.169.254'],
  'internal.test': ['10.0.0.1'],
  'mixed.test': ['169.254.169.254', '127.0.0.1'],
};
let api: ApiProcess;
let worker: ChildHandle;
const targets: Target[] = [];

beforeAll(async () => {
  const opts = {
    redisUrl: sharedRedisUrl(), prefix: uniquePrefix('ssrf'), fakeDns,
    env: { BLOCK_PRIVATE_NETWORKS: 'true', ALLOWED_NETWORKS: '127.0.0.1/32' },
  };
  [api, worker] = await Promise.all([startApi(opts), startWorker(opts)]);
});
afterAll(async () => {
  await stopAll([api, worker].filter(Boolean));
  await Promise.all(targets.map((t) => t.close()));
});

async function target(respond?: Parameters<typeof startTarget>[0]): Promise<Target> {
  const t = await startTarget(respond);
  targets.push(t);
  return t;
}

async function knock(host: string, callback: string, retries = '3') {
  const res = await request(`${api.url}/hook`, {
    method: 'POST', headers: [['Knocker-Host', host], ['Knocker-Retries', retries], ['Knocker-Backoff-Factor', '0'], ['Knocker-Callback', callback]],
  });
  expect(res.status).toBe(200);
  return res.json().config.id as string;
}

const bodyOf = (t: Target, i = 0) => JSON.parse(t.requests[i]?.body.toString() ?? 'null');

describe('targets checked on the address they resolve to', () => {
  it.each([
    ['metadata.test', /169\.254\.169\.254 is in 169\.254\.0\.0\/16 \(link-local\)/],
    ['internal.test', /10\.0\.0\.1 is in 10\.0\.0\.0\/8 \(private\)/],
  ])('refuses %s without retrying, and the callback says why', async (name, reason) => {
    const cb = await target();
    const id = await knock(`${name}:8080`, `${cb.url}/failed`);
    await cb.waitForRequests(1);
    expect(bodyOf(cb)).toMatchObject({ config: { id }, status_code: 403, error: 'address_refused' });
    await new Promise((r) => setTimeout(r, 1500));
    // Retries 3 and a 0–1 s backoff: a retried refusal would have called again by now.
    expect(cb.requests).toHaveLength(1);
    expect(worker.output()).toMatch(new RegExp(`Request #${id} \\(1/4\\).* 403 refused, not retried: .*${reason.source}`));
  });

  it('connects only to the allowed address of a name that also resolves to a refused one', async () => {
    const t = await target();
    await knock(`mixed.test:${t.port}`, 'http://127.0.0.1:9/cb');
    const [got] = await t.waitForRequests(1);
    expect(got?.headers.host).toBe(`mixed.test:${t.port}`);
  });

  it.each([
    ['an IP literal', 'http://169.254.169.254/latest/meta-data/'],
    ['a name resolving to a private address', 'http://internal.test/admin'],
  ])('checks every redirect: refuses one to %s', async (_what, location) => {
    const t = await target(() => ({ status: 302, headers: { location } }));
    const cb = await target();
    const id = await knock(t.host, cb.url);
    await cb.waitForRequests(1);
    expect(bodyOf(cb)).toMatchObject({ config: { id }, status_code: 403, error: 'address_refused' });
    expect(t.requests).toHaveLength(1);
  });

  it('refuses a callback URL whose name resolves to a refused address, without retrying it', async () => {
    const t = await target(() => ({ status: 500 }));
    const id = await knock(t.host, 'http://metadata.test/latest', '1');
    await waitForOutput(worker, new RegExp(`Callback for request #${id} \\(1/2\\): "POST http://metadata.test/latest" 403 refused, not retried: .*link-local`));
    await new Promise((r) => setTimeout(r, 1500));
    expect(worker.output()).not.toContain(`Callback for request #${id} (2/2)`);
  });
});

async function waitForOutput(child: ChildHandle, pattern: RegExp): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!pattern.test(child.output())) {
    if (Date.now() > deadline) throw new Error(`worker never logged ${pattern}:\n${child.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
