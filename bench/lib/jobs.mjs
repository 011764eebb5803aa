// Pre-filled queues for the delivery measurements, with jobs exactly as the api stores them:
// parsed by the protocol package under the default configuration, with the same job options.
import { loadConfig } from '@knocker/config';
import { parseKnockRequest } from '@knocker/protocol';
import { deliveryJobOptions } from '@knocker/queue';

const config = loadConfig({ SCHEME: 'http' });

/** A request as a client sends it to the api: raw header list and body. */
export function clientHeaders(targetHost, extra = {}) {
  return { 'knocker-host': targetHost, 'content-type': 'application/json', 'user-agent': 'knocker-bench', ...extra };
}

/** One delivery job and its options, as the api would build them for this request. */
export function deliveryJob(targetHost, body, seq, extra = {}) {
  const headers = clientHeaders(targetHost, { 'x-bench-seq': String(seq), 'content-length': String(body.length) });
  const rawHeaders = Object.entries(headers).flat();
  const knock = parseKnockRequest({ method: 'POST', target: '/hook', rawHeaders }, config.protocol);
  return {
    name: `${knock.method} ${knock.config.host}`,
    data: { ...knock, body: body.toString('base64'), acceptedAt: Date.now(), ...extra },
    opts: deliveryJobOptions(knock.config),
  };
}

/** Adds n jobs, numbered 0..n-1, in batches; `extra` is merged into each job's data (`qstash: {}` for the door's). */
export async function fill(queue, targetHost, body, n, extra = {}) {
  const batch = Math.max(1, Math.min(1000, Math.floor((32 << 20) / (body.length * 1.4 + 600))));
  for (let i = 0; i < n; i += batch) {
    const jobs = [];
    for (let j = i; j < Math.min(n, i + batch); j++) jobs.push(deliveryJob(targetHost, body, j, extra));
    await queue.addBulk(jobs);
  }
}

/** A JSON body of exactly `size` bytes. */
export function bodyOf(size) {
  const head = '{"event":"order.created","id":42,"pad":"';
  const tail = '"}';
  const pad = Math.max(0, size - head.length - tail.length);
  return Buffer.from(head + 'x'.repeat(pad) + tail);
}
