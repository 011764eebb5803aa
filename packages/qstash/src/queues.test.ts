import { readBatch } from './batch.js';
import { QstashRequestError } from './errors.js';
import { readPublish } from './publish.js';
import { queueOf, readEnqueuePath, readQueueName, readQueueUpsert } from './queues.js';

const limits = { scheme: 'https' as const, timeout: 30, timeoutMax: 600, retries: 1, retriesMax: 10, backoffFactor: 0.5, backoffFactorMax: 60, hostsOnly: [], delayMax: 3600 };
const now = 1_700_000_000_000;

function refusal(work: () => unknown): Record<string, string> {
  try {
    work();
  } catch (err) {
    if (err instanceof QstashRequestError) return { ...err.errors };
    throw err;
  }
  throw new Error('not refused');
}
const upsert = (value: unknown) => () => readQueueUpsert(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));

describe('an enqueue', () => {
  it('is a publish whose job waits in the queue\'s line, an order key no native key can name', () => {
    const published = readPublish({ destination: 'https://example.com/a?x=1', rawHeaders: ['Upstash-Retries', '2'], body: Buffer.from('b'), queue: 'jobs.v1' }, limits, now);
    expect(published).toMatchObject({ queue: 'jobs.v1', deduplicate: false, job: { orderKey: 'qstash-queue:jobs.v1', url: 'https://example.com/a?x=1', config: { retries: 2 } } });
    expect(published.job.orderKey).toContain(':');
    const plain = readPublish({ destination: 'https://example.com/a', rawHeaders: [], body: Buffer.from('') }, limits, now);
    expect(plain).not.toHaveProperty('queue');
    expect(plain.job).not.toHaveProperty('orderKey');
  });

  it('keeps a URL group as its destination, and refuses a bad queue name by field', () => {
    expect(readPublish({ destination: 'my-group', rawHeaders: [], body: Buffer.from(''), queue: 'q' }, limits, now)).toMatchObject({ topic: 'my-group', queue: 'q' });
    for (const queue of ['', 'a/b', '-x', 'q'.repeat(65), 'q:1']) {
      expect(refusal(() => readPublish({ destination: 'https://example.com', rawHeaders: [], body: Buffer.from(''), queue }, limits, now))).toEqual({ queue: expect.stringMatching(/1 to 64/) });
    }
    expect(refusal(() => readPublish({ destination: 'https://example.com', rawHeaders: ['Upstash-Queue-Name', 'q'], body: Buffer.from('') }, limits, now)))
      .toEqual({ 'upstash-queue-name': expect.stringMatching(/schedules only.*\/v2\/enqueue/) });
  });

  it('reads the queue and the raw destination from the path', () => {
    expect(readEnqueuePath('/v2/enqueue/q1/https://e.com/a?x=1&y=2', '/v2/enqueue/')).toEqual({ queue: 'q1', destination: 'https://e.com/a?x=1&y=2' });
    expect(readEnqueuePath('/v2/enqueue/q1/https:/e.com/a', '/v2/enqueue/')).toEqual({ queue: 'q1', destination: 'https://e.com/a' });
    expect(readEnqueuePath('/v2/enqueue/q1/my-group', '/v2/enqueue/')).toEqual({ queue: 'q1', destination: 'my-group' });
    expect(readEnqueuePath('/v2/enqueue/q1', '/v2/enqueue/')).toBeUndefined();
    expect(readEnqueuePath('/v2/publish/https://e.com', '/v2/enqueue/')).toBeUndefined();
    // An empty or odd name is left for readPublish to refuse by name.
    expect(readEnqueuePath('/v2/enqueue//https://e.com', '/v2/enqueue/')).toEqual({ queue: '', destination: 'https://e.com' });
  });

  it('comes from a schedule\'s Upstash-Queue-Name, and from no publish\'s', () => {
    const scheduled = readPublish({ destination: 'https://e.com/t', rawHeaders: ['Upstash-Cron', '* * * * *', 'Upstash-Queue-Name', 'nightly'], body: Buffer.from('') }, limits, now, true);
    expect(scheduled).toMatchObject({ queue: 'nightly', schedule: { id: expect.any(String) }, job: { orderKey: 'qstash-queue:nightly' } });
    expect(refusal(() => readPublish({ destination: 'https://e.com/t', rawHeaders: ['Upstash-Cron', '* * * * *', 'Upstash-Queue-Name', 'a b'], body: Buffer.from('') }, limits, now, true)))
      .toEqual({ 'upstash-queue-name': expect.stringMatching(/1 to 64/) });
  });

  it('comes from a batch item\'s queue', () => {
    const [item] = readBatch(Buffer.from(JSON.stringify([{ destination: 'https://e.com', headers: {}, queue: 'q' }])));
    expect(item).toMatchObject({ queue: 'q' });
    expect(refusal(() => readBatch(Buffer.from(JSON.stringify([{ destination: 'https://e.com', headers: {}, queue: 7 }]))))).toEqual({ '[0].queue': expect.any(String) });
  });
});

describe('a queue\'s upsert', () => {
  it('reads what the SDK sends, with QStash\'s defaults', () => {
    expect(upsert({ queueName: 'q', parallelism: 1, paused: true })()).toEqual({ queueName: 'q', parallelism: 1, paused: true });
    expect(upsert({ queueName: 'q' })()).toEqual({ queueName: 'q', parallelism: 1, paused: false });
  });

  it('refuses a parallelism it cannot keep, naming it, rather than lowering it', () => {
    for (const parallelism of [0, -1, 1.5, '1', null, Number.NaN]) expect(refusal(upsert({ queueName: 'q', parallelism }))).toEqual({ parallelism: expect.stringMatching(/whole number/) });
    for (const parallelism of [2, 1000, 1e300]) expect(refusal(upsert({ queueName: 'q', parallelism }))).toEqual({ parallelism: expect.stringMatching(/must be 1 here.*flow control/) });
  });

  it('names every other bad field', () => {
    expect(refusal(upsert('{"queueName": '))).toEqual({ body: expect.stringMatching(/JSON/) });
    expect(refusal(upsert([]))).toEqual({ body: expect.stringMatching(/object/) });
    expect(refusal(upsert(null))).toEqual({ body: expect.stringMatching(/object/) });
    expect(refusal(upsert({ parallelism: 1 }))).toEqual({ queueName: 'is required' });
    expect(refusal(upsert({ queueName: 'x'.repeat(100), paused: 'yes' }))).toEqual({ queueName: expect.stringMatching(/1 to 64/), paused: 'must be true or false' });
    expect(refusal(() => readQueueName('bad name', 'name'))).toEqual({ name: expect.any(String) });
  });

  it('answers a queue in QStash\'s shape', () => {
    expect(queueOf({ name: 'q', parallelism: 1, createdAt: 1, updatedAt: 2, lag: 3, paused: false })).toEqual({ name: 'q', createdAt: 1, updatedAt: 2, parallelism: 1, lag: 3, paused: false });
  });
});
