import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client } from '@upstash/qstash';
import {
  request, sharedRedisUrl, startApi, startTarget, startWorker, uniquePrefix, waitFor, type ApiProcess, type KnockerProcess, type Recorded, type Target,
} from '@knocker/test-kit';

// QStash's flow control through the unmodified SDK, against a real api and two workers that
// set no flow-control variable: a message's own limits are all that apply, across both.
const TOKEN = 'qstash-token-for-tests-0123456789';
const WAIT = { timeoutMs: 30_000 };
const SLOW_MS = 300;

const prefix = uniquePrefix('qstash-flow');
let target: Target;
let api: ApiProcess;
let workers: KnockerProcess[];
let client: Client;
// Attempts in flight at the target, per path, and the most seen at once.
const inFlight = new Map<string, number>();
const most = new Map<string, number>();

beforeAll(async () => {
  target = await startTarget(async (req) => {
    const path = req.url.split('?')[0]!;
    const now = (inFlight.get(path) ?? 0) + 1;
    inFlight.set(path, now);
    most.set(path, Math.max(most.get(path) ?? 0, now));
    await new Promise((r) => setTimeout(r, req.url.startsWith('/slow') ? SLOW_MS : 0));
    inFlight.set(path, inFlight.get(path)! - 1);
    return { status: 200, body: 'ok' };
  });
  const env = { QSTASH_TOKENS: TOKEN, QSTASH_CURRENT_SIGNING_KEY: 'sig_current0123456789abcdefghijk', QSTASH_NEXT_SIGNING_KEY: 'sig_next0123456789abcdefghijklmno', ALLOWED_NETWORKS: '127.0.0.0/8' };
  [api, ...workers] = await Promise.all([
    startApi({ redisUrl: sharedRedisUrl(), prefix, env }),
    startWorker({ redisUrl: sharedRedisUrl(), prefix, env }),
    startWorker({ redisUrl: sharedRedisUrl(), prefix, env }),
  ]);
  client = new Client({ baseUrl: `${api.url}/knocker/qstash`, token: TOKEN, devMode: false, retry: false });
});

afterAll(async () => {
  await Promise.all([api?.kill(), ...(workers ?? []).map((w) => w.kill()), target?.close()]);
});

const at = (path: string) => target.requests.filter((r) => r.url === path);
const arrived = async (path: string, count: number): Promise<Recorded[]> => {
  await waitFor(() => at(path).length >= count, WAIT);
  return at(path);
};
const answered = (path: string, count: number) => waitFor(() => at(path).length >= count && (inFlight.get(path) ?? 0) === 0, WAIT);
type FlowControl = NonNullable<Parameters<Client['publishJSON']>[0]['flowControl']>;
const publish = (path: string, n: number, flowControl?: FlowControl) =>
  Promise.all(Array.from({ length: n }, (_, i) => client.publishJSON({ url: `${target.url}${path}`, body: { i }, ...(flowControl ? { flowControl } : {}) })));
const door = (path: string, method = 'POST') => request(`${api.url}/knocker/qstash${path}`, { method, headers: { authorization: `Bearer ${TOKEN}` } });

describe('QStash flow control, through the SDK', () => {
  it('overlaps deliveries to a slow target without a limit, and never with parallelism 1', async () => {
    await publish('/slow-free', 4);
    await answered('/slow-free', 4);
    expect(most.get('/slow-free')).toBeGreaterThan(1);

    await publish('/slow-one', 6, { key: 'one-at-a-time', parallelism: 1 });
    await answered('/slow-one', 6);
    expect(most.get('/slow-one')).toBe(1);
    const info = await client.flowControl.get('one-at-a-time');
    expect(info).toEqual({
      flowControlKey: 'one-at-a-time', waitListSize: 0, parallelismMax: 1, parallelismCount: 0, rateMax: 0, rateCount: 0,
      ratePeriod: 1, ratePeriodStart: expect.any(Number), isPaused: false, isPinnedParallelism: false, isPinnedRate: false,
    });
  });

  it('starts at most `rate` deliveries in any period', async () => {
    await publish('/rated', 5, { key: 'two-a-second', rate: 2, period: 1 });
    const times = (await arrived('/rated', 5)).map((r) => r.at).sort((a, b) => a - b);
    // Evenly spaced: the third after the first is a whole period later (slack for a late delayed job).
    for (let i = 0; i + 2 < times.length; i += 1) expect(times[i + 2]! - times[i]!).toBeGreaterThanOrEqual(900);
    expect(times[4]! - times[0]!).toBeGreaterThanOrEqual(1900);
    const info = await client.flowControl.get('two-a-second');
    expect(info).toMatchObject({ rateMax: 2, ratePeriod: 1, parallelismMax: 0 });
    await client.flowControl.resetRate('two-a-second');
  });

  it('holds deliveries while a key is paused and lets them go on resume', async () => {
    await publish('/paused', 1, { key: 'held-key', parallelism: 5 });
    await arrived('/paused', 1);
    await client.flowControl.pause('held-key');
    await publish('/paused', 2, { key: 'held-key', parallelism: 5 });
    await waitFor(async () => (await client.flowControl.get('held-key')).waitListSize === 2, WAIT);
    await new Promise((r) => setTimeout(r, 500));
    expect(at('/paused')).toHaveLength(1);
    expect(await client.flowControl.get('held-key')).toMatchObject({ isPaused: true, waitListSize: 2, parallelismMax: 5 });
    await client.flowControl.resume('held-key');
    await arrived('/paused', 3);
    expect(await client.flowControl.get('held-key')).toMatchObject({ isPaused: false, waitListSize: 0 });
  });

  it('keeps a pinned limit over the messages\' own, until it is unpinned', async () => {
    await client.flowControl.pin('pinned-key', { parallelism: 1 });
    await publish('/slow-pinned', 4, { key: 'pinned-key', parallelism: 10 });
    await answered('/slow-pinned', 4);
    expect(most.get('/slow-pinned')).toBe(1);
    expect(await client.flowControl.get('pinned-key')).toMatchObject({ parallelismMax: 1, isPinnedParallelism: true, isPinnedRate: false });

    await client.flowControl.pin('pinned-key', { rate: 10, period: 60 });
    expect(await client.flowControl.get('pinned-key')).toMatchObject({ rateMax: 10, ratePeriod: 60, rateCount: 0, isPinnedRate: true });
    await client.flowControl.unpin('pinned-key', { parallelism: true, rate: true });
    await publish('/slow-pinned', 1, { key: 'pinned-key', parallelism: 3 });
    expect(await client.flowControl.get('pinned-key')).toMatchObject({ parallelismMax: 3, rateMax: 0, isPinnedParallelism: false, isPinnedRate: false });
  });

  it('answers the global parallelism: no global limit, and what is in flight', async () => {
    expect(await client.flowControl.getGlobalParallelism()).toEqual({ parallelismMax: 0, parallelismCount: expect.any(Number) });
  });
});

describe('hostile flow control', () => {
  it('names the field of a bad number, a huge key or an unknown key', async () => {
    await expect(client.flowControl.get('never-used')).rejects.toMatchObject({ status: 404, message: expect.stringMatching(/flowControlKey/) });
    await expect(client.flowControl.pause('never-used')).rejects.toMatchObject({ status: 404 });
    await expect(client.flowControl.get('k'.repeat(200))).rejects.toMatchObject({ status: 400, message: expect.stringMatching(/flowControlKey/) });
    for (const [query, field] of [
      ['parallelism=abc', 'parallelism'], ['parallelism=0', 'parallelism'], ['rate=1e9', 'rate'], ['rate=2&period=30d', 'period'],
      ['period=5', 'period'], ['', 'parallelism'], ['parallelism=1&parallelism=2', 'parallelism'],
    ] as const) {
      const res = await door(`/v2/flowControl/some-key/pin?${query}`);
      expect([query, res.status, res.json()]).toEqual([query, 400, { error: expect.stringContaining(`${field}:`) }]);
    }
    const unpin = await door('/v2/flowControl/one-at-a-time/unpin?parallelism=maybe');
    expect([unpin.status, unpin.json()]).toEqual([400, { error: expect.stringContaining('parallelism:') }]);
    expect((await door('/v2/flowControl/some-key', 'DELETE')).status).toBe(404);
  });

  it('refuses a publish whose flow-control value is out of bounds, storing nothing', async () => {
    for (const value of ['parallelism=0', 'rate=5, period=8d', 'period=1m', 'parallelism=1, parallelism=2', 'rate=-1']) {
      const res = await request(`${api.url}/knocker/qstash/v2/publish/${target.url}/never`, {
        method: 'POST', body: '{}',
        headers: { authorization: `Bearer ${TOKEN}`, 'upstash-flow-control-key': 'bad-values', 'upstash-flow-control-value': value },
      });
      expect([value, res.status, res.json()]).toEqual([value, 400, { error: expect.stringContaining('upstash-flow-control-value:') }]);
    }
    await expect(client.flowControl.get('bad-values')).rejects.toMatchObject({ status: 404 });
  });
});
