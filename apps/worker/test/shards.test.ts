import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, startApi, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type ApiProcess, type ChildHandle, type Target,
} from '@knocker/test-kit';

// QUEUE_SHARDS changed on a running system: requests stored under two layouts, then a
// worker configured with a third one delivers all of them, and every api finds every one.
const PER_LAYOUT = 30;
const ADMIN_KEY = 'shards-admin-key-0123456789';
const prefix = uniquePrefix('shards');
let one: ApiProcess;
let three: ApiProcess;
let t: Target;
const children: ChildHandle[] = [];
const opts = (shards: number) => ({ redisUrl: sharedRedisUrl(), prefix, env: { QUEUE_SHARDS: String(shards), ADMIN_API_KEY: ADMIN_KEY, MAX_EVENT_LOOP_DELAY_MS: '0', MAX_ANSWER_DELAY_MS: '0' } });

beforeAll(async () => {
  t = await startTarget();
  [one, three] = await Promise.all([startApi(opts(1)), startApi(opts(3))]);
  children.push(one, three);
});
afterAll(async () => {
  await stopAll(children);
  await t?.close();
});

const send = (api: ApiProcess, id: string) =>
  request(`${api.url}/item/${id}`, { method: 'POST', headers: { 'Knocker-Host': t.host, 'Knocker-Id': id }, body: id });
const inspect = (api: ApiProcess, id: string) => request(`${api.url}/knocker/requests/${id}`, { headers: { 'Knocker-Admin-Key': ADMIN_KEY } });

describe('changing QUEUE_SHARDS', () => {
  it('strands nothing: workers drain every layout, and every api finds every request', async () => {
    const ids = { one: Array.from({ length: PER_LAYOUT }, (_, i) => `one-${i}`), three: Array.from({ length: PER_LAYOUT }, (_, i) => `three-${i}`) };
    for (const id of ids.one) expect((await send(one, id)).status).toBe(200);
    for (const id of ids.three) expect((await send(three, id)).status).toBe(200);

    children.push(await startWorker(opts(2)));
    await waitFor(() => t.requests.length >= 2 * PER_LAYOUT, { timeoutMs: 60_000, what: 'every request delivered' });
    // Both apis started before the single-shard keys existed: the 3-shard api learns of that
    // layout within its refresh period, as the single-shard one learns of the other below.
    await waitFor(async () => (await inspect(three, 'one-0')).status === 200, { timeoutMs: 30_000, what: 'the 3-shard api to find a 1-shard request' });
    expect((await inspect(three, 'one-0')).json()).toMatchObject({ id: 'one-0', state: 'delivered' });
    // A client sending an id again, to an api of the other layout, gets the stored request.
    const again = await send(three, 'one-1');
    expect(again.json()).toMatchObject({ duplicate: true });
    await new Promise((r) => setTimeout(r, 1000));
    const urls = t.requests.map((r) => r.url).sort();
    expect(urls).toEqual([...ids.one, ...ids.three].map((id) => `/item/${id}`).sort());

    // The single-shard api learns of the other layout within its refresh period.
    await waitFor(async () => (await inspect(one, 'three-0')).status === 200, { timeoutMs: 30_000, what: 'the 1-shard api to find a 3-shard request' });
    const status = await waitFor(async () => {
      const s = (await request(`${three.url}/knocker/status`)).json();
      return s.delivered === 2 * PER_LAYOUT && s;
    }, { timeoutMs: 30_000, what: 'the status to count both layouts' });
    expect(status.queues.requests.completed).toBe(2 * PER_LAYOUT);
  }, 120_000);
});
