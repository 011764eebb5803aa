// Baseline ingress: express 5 reads the body and calls BullMQ's queue.add, then answers.
// No validation, no logging, no metrics: the least an express relay can do.
import express from 'express';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';

const connection = new Redis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
const queue = new Queue('deliveries', { connection, prefix: process.env.QUEUE_PREFIX });

const app = express();
app.use(express.raw({ type: () => true, limit: '2mb' }));
app.use(async (req, res, next) => {
  try {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const job = await queue.add('x', { method: req.method, url: req.originalUrl, headers: req.rawHeaders, body: body.toString('base64'), acceptedAt: Date.now() });
    res.json({ status: true, id: job.id });
  } catch (err) {
    next(err);
  }
});
const server = app.listen(Number(process.env.PORT), '127.0.0.1', () => console.log(`baseline express listening on ${process.env.PORT}`));
process.on('SIGTERM', () => server.close(async () => { await queue.close(); connection.disconnect(); process.exit(0); }));
