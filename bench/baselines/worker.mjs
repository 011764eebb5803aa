// Baseline delivery worker: a raw BullMQ worker whose processor only makes the call, with got
// (its defaults) or undici's request (`CLIENT=got|undici`). It reads the same jobs as Knocker's
// worker: method, url, header pairs and a base64 body.
import { Worker } from 'bullmq';
import { Redis } from 'ioredis';

const client = process.env.CLIENT;
let call;
if (client === 'got') {
  const { default: got } = await import('got');
  call = (method, url, headers, body) => got(url, { method, headers, body }).then(() => undefined);
} else if (client === 'undici') {
  const { request } = await import('undici');
  call = async (method, url, headers, body) => {
    const res = await request(url, { method, headers, body });
    await res.body.dump();
    if (res.statusCode >= 400) throw new Error(`HTTP ${res.statusCode}`);
  };
} else {
  throw new Error(`CLIENT must be got or undici, got ${client}`);
}

const connection = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
const worker = new Worker(
  'deliveries',
  async (job) => {
    const { method, url, headers, body } = job.data;
    await call(method, url, Object.fromEntries(headers), body.length > 0 ? Buffer.from(body, 'base64') : undefined);
  },
  { connection, prefix: process.env.QUEUE_PREFIX, concurrency: Number(process.env.WORKER_CONCURRENCY ?? 50) },
);
worker.on('error', (err) => console.error(`worker error: ${err.message}`));
await worker.waitUntilReady();
console.log(`baseline ${client} worker ready (pid ${process.pid})`);
process.on('SIGTERM', async () => { await worker.close(); connection.disconnect(); process.exit(0); });
