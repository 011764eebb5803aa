import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@upstash/qstash';
import {
  sharedRedisUrl, startApi, startTarget, startWorker, uniquePrefix, waitFor, type ApiProcess, type KnockerProcess, type Reply, type Target,
} from '@knocker/test-kit';

// QStash queues through the unmodified SDK, against real api and worker processes: a queue
// is one of Knocker's order lines, so its messages go one at a time, in the order enqueued.
const TOKEN = 'qstash-queues-token-0123456789';
const WAIT = { timeoutMs: 20_000 };

const prefix = uniquePrefix('qstash-queues');
let target: Target;
let api: ApiProcess;
let worker: KnockerProcess;
let client: Client;
let stuck = true;

beforeAll(async () => {
  // /ordered/2 answers 500 to its first three attempts, /stuck while `stuck`; everything else succeeds.
  target = await startTarget((req): Reply => {
    if (req.url === '/stuck' && stuck) return { status: 500, body: 'stuck' };
    if (req.url.startsWith('/ordered/2') && Number(req.headers['upstash-retried']) < 3) return { status: 500, body: 'not yet' };
    return { status: 200, body: 'ok' };
  });
  const env = {
    QSTASH_TOKENS: TOKEN, QSTASH_CURRENT_SIGNING_KEY: 'sig_current_queues_0123456789', QSTASH_NEXT_SIGNING_KEY: 'sig_next_queues_0123456789ab',
    RETRIES_BACKOFF_FACTOR: '0.1', ALLOWED_NETWORKS: '127.0.0.0/8',
  };
  [api, worker] = await Promise.all([
    startApi({ redisUrl: sharedRedisUrl(), prefix, env }),
    startWorker({ redisUrl: sharedRedisUrl(), prefix, env }),
  ]);
  client = new Client({ baseUrl: `${api.url}/knocker/qstash`, token: TOKEN, devMode: false, retry: false });
});

afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill(), target?.close()]);
});

const paths = (start: string) => target.requests.filter((r) => r.url.startsWith(start)).map((r) => r.url);

describe('QStash queues, through the SDK', () => {
  it('upserts, gets, lists, pauses, resumes and deletes a queue', async () => {
    const queue = client.queue({ queueName: 'q-admin' });
    await queue.upsert({ parallelism: 1 });
    const made = await queue.get();
    expect(made).toEqual({ name: 'q-admin', parallelism: 1, lag: 0, paused: false, createdAt: expect.any(Number), updatedAt: expect.any(Number) });
    await queue.upsert({ paused: true });
    expect(await queue.get()).toMatchObject({ paused: true, createdAt: made.createdAt });
    await queue.resume();
    expect((await client.queue().list()).find((q) => q.name === 'q-admin')).toMatchObject({ paused: false, lag: 0 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await queue.pause();
    const paused = await queue.get();
    expect(paused).toMatchObject({ paused: true, createdAt: made.createdAt });
    expect(paused.updatedAt).toBeGreaterThan(made.updatedAt);
    await queue.delete();
    await expect(queue.get()).rejects.toMatchObject({ status: 404 });
    await expect(queue.delete()).rejects.toMatchObject({ status: 404 });
    await expect(client.queue({ queueName: 'q-wide' }).upsert({ parallelism: 2 })).rejects.toThrow(/parallelism: must be 1 here/);
  });

  it('delivers in order, the next waiting for every retry of the one before', async () => {
    const queue = client.queue({ queueName: 'q-order' });
    for (const n of [1, 2, 3, 4]) {
      const sent = await queue.enqueueJSON({ url: `${target.url}/ordered/${n}`, body: { n }, retries: 5 });
      expect(sent).toEqual({ messageId: expect.stringMatching(/^msg_/), url: `${target.url}/ordered/${n}` });
    }
    await waitFor(() => paths('/ordered/').length >= 7, WAIT);
    expect(paths('/ordered/')).toEqual(['/ordered/1', '/ordered/2', '/ordered/2', '/ordered/2', '/ordered/2', '/ordered/3', '/ordered/4']);
    // An enqueue to a queue nobody made created it.
    await waitFor(async () => (await queue.get()).lag === 0, WAIT);
  });

  it('holds a paused queue\'s messages, counts them as lag, and delivers them in order once resumed', async () => {
    const queue = client.queue({ queueName: 'q-paused' });
    await queue.upsert({ paused: true });
    for (const n of [1, 2, 3]) await queue.enqueue({ url: `${target.url}/held/${n}`, body: String(n) });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(paths('/held/')).toEqual([]);
    expect(await queue.get()).toMatchObject({ paused: true, lag: 3 });
    await queue.resume();
    await waitFor(() => paths('/held/').length >= 3, WAIT);
    expect(paths('/held/')).toEqual(['/held/1', '/held/2', '/held/3']);
  });

  it('pauses a queue whose message is being retried: no attempt until resumed, the next still behind it', async () => {
    const queue = client.queue({ queueName: 'q-retrying' });
    await queue.enqueue({ url: `${target.url}/stuck`, body: 's', retries: 10 });
    await queue.enqueue({ url: `${target.url}/after-stuck`, body: 'a' });
    await waitFor(() => paths('/stuck').length >= 3, WAIT);
    await queue.pause();
    const seen = paths('/stuck').length;
    stuck = false;
    // Unpaused, backoffs of 0.4 s, 0.8 s, 1.6 s would bring two more attempts in 2 s, the last a success.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    // An attempt under way when the pause came ends as it would.
    expect(paths('/stuck').length).toBeLessThanOrEqual(seen + 1);
    expect(paths('/after-stuck')).toEqual([]);
    expect(await queue.get()).toMatchObject({ paused: true, lag: paths('/stuck').length > seen ? 1 : 2 });
    await queue.resume();
    await waitFor(() => paths('/after-stuck').length === 1, WAIT);
    expect(target.requests.filter((r) => r.url === '/stuck' || r.url === '/after-stuck').at(-1)?.url).toBe('/after-stuck');
  });

  it('enqueues the ticks of a schedule that names a queue: a paused queue holds them', async () => {
    const queue = client.queue({ queueName: 'q-ticks' });
    await queue.upsert({ paused: true });
    const { scheduleId } = await client.schedules.create({ destination: `${target.url}/queued-tick`, cron: '* * * * * *', queueName: 'q-ticks' });
    expect(await client.schedules.get(scheduleId)).toMatchObject({ queueName: 'q-ticks' });
    await waitFor(async () => (await queue.get()).lag >= 2, WAIT);
    await client.schedules.delete(scheduleId);
    expect(paths('/queued-tick')).toEqual([]);
    const { lag } = await queue.get();
    await queue.resume();
    await waitFor(() => paths('/queued-tick').length >= lag, WAIT);
  });

  it('enqueues batch items that name a queue', async () => {
    const answers = await client.batchJSON([1, 2, 3].map((n) => ({ url: `${target.url}/batched/${n}`, body: { n }, queueName: 'q-batch' })));
    expect(answers).toHaveLength(3);
    await waitFor(() => paths('/batched/').length >= 3, WAIT);
    expect(paths('/batched/')).toEqual(['/batched/1', '/batched/2', '/batched/3']);
    expect(await client.queue({ queueName: 'q-batch' }).get()).toMatchObject({ name: 'q-batch', parallelism: 1 });
  });

  it('enqueues to a URL group: one message per endpoint, each in the queue\'s line', async () => {
    await client.urlGroups.addEndpoints({ name: 'queued-group', endpoints: [{ url: `${target.url}/fan/a` }, { url: `${target.url}/fan/b` }] });
    const sent = await client.queue({ queueName: 'q-group' }).enqueueJSON({ urlGroup: 'queued-group', body: {} });
    expect(sent).toEqual([{ messageId: expect.stringMatching(/^msg_/), url: `${target.url}/fan/a` }, { messageId: expect.stringMatching(/^msg_/), url: `${target.url}/fan/b` }]);
    await waitFor(() => paths('/fan/').length >= 2, WAIT);
    expect(paths('/fan/').sort()).toEqual(['/fan/a', '/fan/b']);
  });
});
