// Core figures on loopback: requests accepted per second by one api process, and
// deliveries per second by one worker process draining a pre-filled queue. Each is
// printed next to a baseline measured in the same run, because shared machines drift.
//   pnpm bench:core [--seconds 10] [--jobs 5000]
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import express from 'express';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { startApi, startRedis, startTarget, startWorker, uniquePrefix, waitFor } from '@knocker/test-kit';

const { values } = parseArgs({ args: process.argv.slice(2).filter((a) => a !== '--'), options: { seconds: { type: 'string', default: '10' }, jobs: { type: 'string', default: '5000' } } });
const seconds = Number(values.seconds);
const jobs = Number(values.jobs);
const body = JSON.stringify({ event: 'order.created', id: 42, items: [1, 2, 3] });

const redis = await startRedis({ appendonly: false });
const target = await startTarget(() => ({ status: 200 }));
const results = [];

try {
  // Ingest: one api, no worker, 50 connections.
  const prefix = uniquePrefix('bench-ingest');
  const api = await startApi({ redisUrl: redis.url, prefix });
  const ingest = await load(`${api.url}/hook`, { 'knocker-host': target.host, 'content-type': 'application/json' });
  await api.kill();
  const bare = await startApi({ redisUrl: redis.url, prefix, env: { METRICS_ENABLED: 'false' } });
  const ingestBare = await load(`${bare.url}/hook`, { 'knocker-host': target.host, 'content-type': 'application/json' });
  await bare.kill();
  const naive = await naiveIngress(redis.url);
  results.push(['ingest: knocker api (1 process)', ingest], ['ingest: knocker api, METRICS_ENABLED=false', ingestBare], ['ingest: baseline express 5 + queue.add', naive]);

  // Delivery: fill a queue through the api, then time one worker draining it.
  const dprefix = uniquePrefix('bench-deliver');
  const api2 = await startApi({ redisUrl: redis.url, prefix: dprefix });
  await fill(api2.url, jobs);
  await api2.kill();
  const knockerRate = await drain(jobs, () => startWorker({ redisUrl: redis.url, prefix: dprefix, env: { WORKER_CONCURRENCY: '50' } }));
  const rawRate = await drain(jobs, () => rawWorker(redis.url, target.url, jobs));
  results.push(
    ['delivery: knocker worker (1 process, concurrency 50)', { rps: knockerRate }],
    ['delivery: baseline raw BullMQ worker + got defaults (concurrency 50)', { rps: rawRate }],
  );
} finally {
  await target.close();
  await redis.stop();
}

console.log('\n| measurement | per second | p50 ms | p99 ms |\n| --- | ---: | ---: | ---: |');
for (const [name, r] of results) console.log(`| ${name} | ${Math.round(r.rps)} | ${r.p50 ?? ''} | ${r.p99 ?? ''} |`);
process.exit(0);

async function load(url, headers) {
  const r = await autocannon({ url, method: 'POST', headers, body, connections: 50, duration: seconds });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${r.non2xx} non-2xx answers and ${r.errors} errors during the run`);
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

// The naive ingress: express 5 reads the body, queue.add, answer. No validation, no logging.
async function naiveIngress(redisUrl) {
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('naive', { connection, prefix: uniquePrefix('bench-naive') });
  const app = express();
  app.use(express.raw({ type: () => true }));
  app.use(async (req, res) => {
    await queue.add('x', { body: Buffer.isBuffer(req.body) ? req.body.toString('base64') : '', headers: req.rawHeaders });
    res.json({ status: true });
  });
  const server = await new Promise((r) => { const s = app.listen(0, '127.0.0.1', () => r(s)); });
  const r = await load(`http://127.0.0.1:${server.address().port}/hook`, {});
  server.close();
  await queue.obliterate({ force: true });
  await queue.close();
  connection.disconnect();
  return r;
}

// Deliveries per second from the first arrival at the target to the last, so process
// start-up is not counted.
async function drain(n, start) {
  target.requests.length = 0;
  const running = await start();
  await waitFor(() => target.requests.length >= n, { timeoutMs: 300_000, what: 'the queue to drain' });
  const first = target.requests[0].at;
  const last = target.requests[n - 1].at;
  await running.kill();
  return (n - 1) / ((last - first) / 1000);
}

async function fill(apiUrl, n) {
  await autocannon({ url: `${apiUrl}/hook`, method: 'POST', headers: { 'knocker-host': target.host }, body, connections: 20, amount: n });
}

async function rawWorker(redisUrl, url, n) {
  const { default: got } = await import('got');
  const connection = new Redis(redisUrl, { maxRetriesPerRequest: null });
  const prefix = uniquePrefix('bench-raw');
  const queue = new Queue('raw', { connection, prefix });
  await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'x', data: { i, body } })));
  const worker = new Worker('raw', async (job) => { await got.post(`${url}/raw`, { body: job.data.body }); }, { connection, prefix, concurrency: 50 });
  return {
    async kill() {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
      connection.disconnect();
    },
  };
}
