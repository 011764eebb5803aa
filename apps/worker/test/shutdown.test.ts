import { afterAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, startApi, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type KnockerProcess, type Target,
} from '@knocker/test-kit';

const children: KnockerProcess[] = [];
const targets: Target[] = [];
afterAll(async () => {
  await stopAll(children);
  await Promise.all(targets.map((t) => t.close()));
});

/** Sends numbered requests from a few clients until told to stop; keeps the ids answered 200. */
function load(api: KnockerProcess, target: Target, tag: string) {
  const accepted = new Set<string>();
  let stopped = false;
  let next = 0;
  const client = async () => {
    while (!stopped) {
      const id = `${tag}-${next++}`;
      try {
        const res = await request(`${api.url}/${id}`, { method: 'POST', headers: { 'Knocker-Host': target.host, 'Knocker-Id': id }, timeoutMs: 5000 });
        if (res.status === 200) accepted.add(id);
      } catch {
        await new Promise((r) => setTimeout(r, 20)); // the api has stopped listening
      }
    }
  };
  const running = Promise.all(Array.from({ length: 4 }, client));
  return { accepted, stop: async () => { stopped = true; await running; } };
}

const delivered = (t: Target) => new Set(t.requests.map((r) => r.url.slice(1)));

describe('graceful shutdown', () => {
  it('api: fails /hc at once, keeps serving for HEALTHCHECK_INTERVAL, then exits 0; nothing it accepted is lost', async () => {
    const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('stop-api') };
    const target = await startTarget();
    targets.push(target);
    const api = await startApi({ ...opts, env: { HEALTHCHECK_INTERVAL: '1' } });
    children.push(api, await startWorker(opts));
    const traffic = load(api, target, 'a');
    await waitFor(() => traffic.accepted.size >= 50, { what: 'some accepted requests' });

    const signalled = Date.now();
    const exit = api.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 100));
    expect((await request(`${api.url}/hc`)).status).toBe(503);
    const during = traffic.accepted.size;
    await new Promise((r) => setTimeout(r, 400));
    expect(traffic.accepted.size).toBeGreaterThan(during);
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(1000);
    await traffic.stop();

    await waitFor(() => [...traffic.accepted].every((id) => delivered(target).has(id)), { what: 'every accepted request delivered' });
    console.log(`api SIGTERM under load: ${traffic.accepted.size} accepted, ${delivered(target).size} delivered, lost 0`);
  });

  it('worker: stops taking jobs, finishes its active deliveries, exits 0; another worker delivers the rest once', async () => {
    const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('stop-worker') };
    const target = await startTarget(() => ({ status: 200, delayMs: 300 }));
    targets.push(target);
    const api = await startApi(opts);
    const first = await startWorker({ ...opts, env: { WORKER_CONCURRENCY: '10', SHUTDOWN_TIMEOUT: '10' } });
    children.push(api, first);
    const ids = Array.from({ length: 100 }, (_, i) => `w-${i}`);
    for (const id of ids) {
      const res = await request(`${api.url}/${id}`, { method: 'POST', headers: { 'Knocker-Host': target.host, 'Knocker-Id': id } });
      expect(res.status).toBe(200);
    }
    await target.waitForRequests(15);

    const exit = first.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 50));
    expect((await request(`${first.url}/hc/_self`).catch(() => ({ status: 0 }))).status).toBe(503);
    expect(await exit).toEqual({ code: 0, signal: null });
    expect(first.output()).not.toMatch(/did not finish/);
    const byFirst = target.requests.length;
    expect(byFirst).toBeLessThan(ids.length);

    children.push(await startWorker(opts));
    await target.waitForRequests(ids.length, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    const urls = target.requests.map((r) => r.url);
    expect(urls).toHaveLength(ids.length);
    expect(new Set(urls).size).toBe(ids.length);
    console.log(`worker SIGTERM under load: ${byFirst} delivered before it stopped, ${ids.length - byFirst} by the next worker, duplicates 0, lost 0`);
  });
});
