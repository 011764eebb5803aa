// Baseline ingress: a bare node:http handler reads the body and calls BullMQ's queue.add.
import http from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

const connection = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
const queue = new Queue('deliveries', { connection, prefix: process.env.QUEUE_PREFIX });

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    queue.add('x', { method: req.method, url: req.url, headers: req.rawHeaders, body: body.toString('base64'), acceptedAt: Date.now() }).then(
      (job) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status: true, id: job.id }));
      },
      (err) => {
        res.writeHead(503);
        res.end(String(err));
      },
    );
  });
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`baseline node:http listening on ${process.env.PORT}`));
process.on('SIGTERM', () => server.close(async () => { await queue.close(); connection.disconnect(); process.exit(0); }));
