import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect, type Socket } from 'node:net';
import { Redis } from 'ioredis';
import { createFlowStore } from '@knocker/flow';
import { deliveryJobOptions, type DeliveryJob } from '@knocker/queue';
import {
  shardQueues, sleep, startRedis, startWorker, stopAll, targetPool, uniquePrefix, waitFor, type ChildHandle, type RedisServer, type Target,
  type ShardQueues,
} from '@knocker/test-kit';

// What waiting costs Redis: 10,000 requests wait behind one target that takes a second per
// request, 2 at a time. On a Redis of its own, so INFO commandstats counts only this.
const WAITING = 10_000;
const WINDOW_MS = 10_000;

let server: RedisServer;
let redis: Redis;
let queues: ShardQueues;
let slowTarget: Target;
const targets = targetPool();
const children: ChildHandle[] = [];
const prefix = uniquePrefix('flow-cost');

beforeAll(async () => {
  server = await startRedis({ appendonly: false });
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
  queues = shardQueues(redis, prefix);
  slowTarget = await targets.start(() => ({ status: 200, delayMs: 1000 }));
  const opts = { redisUrl: server.url, prefix, env: { WORKER_CONCURRENCY: '50', HOST_CONCURRENCY: '2', METRICS_ENABLED: 'false' } };
  children.push(...(await Promise.all([startWorker(opts), startWorker(opts)])));
});
afterAll(async () => {
  await stopAll(children);
  await targets.closeAll();
  await queues?.close();
  redis?.disconnect();
  await server?.stop();
});

async function commandCalls(): Promise<Map<string, number>> {
  const calls = new Map<string, number>();
  for (const m of (await redis.info('commandstats')).matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(m[1]!, Number(m[2]));
  return calls;
}

describe('requests waiting behind a slow target', () => {
  it('cost Redis a small, bounded number of commands per second', async () => {
    const now = Date.now();
    // Stored directly, as the api would store them: the api is not what is measured.
    for (let i = 0; i < WAITING; i += 1000) {
      await queues.delivery.addBulk(Array.from({ length: 1000 }, (_, j): { name: string; data: DeliveryJob; opts: ReturnType<typeof deliveryJobOptions> } => {
        const config = { id: `w${i + j}`, host: slowTarget.host, scheme: 'http' as const, timeout: 10, retries: 0, backoff_factor: 0, callback: null };
        return { name: 'POST', data: { config, method: 'POST', url: `${slowTarget.url}/`, headers: [], body: '', acceptedAt: now + i + j }, opts: deliveryJobOptions(config) };
      }));
    }
    const store = createFlowStore(redis, prefix);
    const waiting = async () => (await store.list(10)).find((v) => v.key === slowTarget.host)?.waiting ?? 0;
    await waitFor(async () => (await waiting()) >= WAITING - 200 && (await queues.delivery.getWaitingCount()) === 0,
      { timeoutMs: 300_000, intervalMs: 1000, what: 'the requests to be parked' });
    await sleep(2000);

    const before = await commandCalls();
    const deliveredBefore = slowTarget.requests.length;
    await sleep(WINDOW_MS);
    const after = await commandCalls();
    const delivered = slowTarget.requests.length - deliveredBefore;
    const deltas = [...after].map(([cmd, n]) => [cmd, n - (before.get(cmd) ?? 0)] as const).filter(([cmd, n]) => n > 0 && cmd !== 'info');
    const total = deltas.reduce((sum, [, n]) => sum + n, 0);
    const perSecond = total / (WINDOW_MS / 1000);
    const top = deltas.sort((a, b) => b[1] - a[1]).slice(0, 8).map(([cmd, n]) => `${cmd} ${n}`).join(', ');
    console.log(`Waiting cost: ${await waiting()} requests waiting, ${delivered} delivered in ${WINDOW_MS / 1000} s, ` +
      `${total} Redis commands = ${perSecond.toFixed(1)}/s (${(total / Math.max(1, delivered)).toFixed(1)} per delivery), ` +
      `${deltas.find(([cmd]) => cmd === 'evalsha')?.[1] ?? 0} of them script calls; ${top}`);
    // Commands inside scripts count one by one. The cost follows the deliveries made (2 per
    // second here) and the workers' sweeps (1 per second each), not the number waiting:
    // checking 10,000 jobs even once a minute would cost more.
    expect(perSecond).toBeLessThan(400);
    expect(delivered).toBeGreaterThan(0);
  }, 420_000);
});

describe('without any flow-control variable', () => {
  it('deliveries never touch flow-control state', async () => {
    const plain = uniquePrefix('flow-off');
    const plainQueues = shardQueues(redis, plain);
    const t = await targets.start();
    children.push(await startWorker({ redisUrl: server.url, prefix: plain, env: { METRICS_ENABLED: 'false' } }));
    // Every command Redis runs, as MONITOR reports it: flow-control scripts name their keys.
    // A plain socket: ioredis's monitor mode can misread a MONITOR line as a reply it awaits.
    const seen: string[] = [];
    const monitor = await monitorCommands(server.url, (line) => seen.push(line));
    await plainQueues.delivery.addBulk(Array.from({ length: 20 }, (_, i) => {
      const config = { id: `off${i}`, host: t.host, scheme: 'http' as const, timeout: 10, retries: 0, backoff_factor: 0, callback: null };
      return { name: 'POST', data: { config, method: 'POST', url: `${t.url}/`, headers: [], body: '', acceptedAt: Date.now() }, opts: deliveryJobOptions(config) };
    }));
    await t.waitForRequests(20, 30_000);
    await sleep(300);
    monitor.destroy();
    expect(seen.filter((c) => c.includes(plain)).length).toBeGreaterThan(20);
    expect(seen.filter((c) => c.includes(`${plain}:flow`))).toEqual([]);
    await plainQueues.close();
  }, 60_000);
});

/** Sends MONITOR on a socket of its own and hands each command line Redis reports to `onLine`. */
function monitorCommands(url: string, onLine: (line: string) => void): Promise<Socket> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write('MONITOR\r\n'));
    let partial = '';
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      const lines = (partial + chunk.toString('utf8')).split('\r\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line === '+OK') resolve(socket);
        else if (line.startsWith('+')) onLine(line.slice(1));
      }
    });
  });
}
