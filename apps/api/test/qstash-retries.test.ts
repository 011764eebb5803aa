import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Receiver, type Client } from '@upstash/qstash';
import { startTarget, uniquePrefix, type Recorded, type Reply, type Target } from '@knocker/test-kit';
import { arrivals, startDoor, verify, type Door } from './qstash-door.js';

// Retries through the unmodified SDK: `Upstash-Retry-Delay`'s expression spacing a message's
// attempts, and a callback's own retries, delay and retry delay (`Upstash-Callback-Retries`,
// `-Delay`, `-Retry-Delay`, and the failure callback's). Without them a callback is retried
// like its message, and attempts wait Knocker's backoff (here about none).
const KEYS = { token: 'qstash-retries-token-0123456789', current: 'sig_current_callbacks_0123456789', next: 'sig_next_callbacks_0123456789ab' };

const prefix = uniquePrefix('qstash-retries');
let target: Target;
let door: Door | undefined;
let client: Client;
const receiver = new Receiver({ currentSigningKey: KEYS.current, nextSigningKey: KEYS.next });

beforeAll(async () => {
  target = await startTarget((req): Reply => (req.url.startsWith('/fail') ? { status: 500, body: 'down' } : { status: 200, body: 'ok' }));
  door = await startDoor(prefix, KEYS);
  client = door.client;
});

afterAll(async () => {
  await Promise.all([door?.kill(), target?.close()]);
});

const at = (path: string) => arrivals(target).at(path);
const arrived = (path: string, count = 1) => arrivals(target).arrived(path, count);
const settle = () => new Promise((resolve) => setTimeout(resolve, 1500));
const verified = (rec: Recorded) => verify(receiver, target, rec);

describe('callback settings, through the SDK', () => {
  it('sends a callback after its own delay and retries it its own number of times', async () => {
    await client.publishJSON({ url: `${target.url}/ok-default`, body: {}, retries: 2, callback: `${target.url}/fail-cb-default` });
    await client.publishJSON({
      url: `${target.url}/ok-own`, body: {}, retries: 2, callback: `${target.url}/fail-cb-own`,
      headers: { 'Upstash-Callback-Retries': '0', 'Upstash-Callback-Delay': '2s' },
    });
    const [delivered] = await arrived('/ok-own');
    const [own] = await arrived('/fail-cb-own');
    expect(own!.at - delivered!.at).toBeGreaterThanOrEqual(1900);
    await expect(verified(own!)).resolves.toBe(true);
    // The message's retries: three attempts; its own, none after the first.
    await arrived('/fail-cb-default', 3);
    await settle();
    expect(at('/fail-cb-default')).toHaveLength(3);
    expect(at('/fail-cb-own')).toHaveLength(1);
  });

  it('retries a failure callback its own number of times', async () => {
    await client.publishJSON({
      url: `${target.url}/fail-msg`, body: {}, retries: 0, failureCallback: `${target.url}/fail-ko`, headers: { 'Upstash-Failure-Callback-Retries': '2' },
    });
    const kos = await arrived('/fail-ko', 3);
    for (const ko of kos) await expect(verified(ko)).resolves.toBe(true);
    await settle();
    expect(at('/fail-ko')).toHaveLength(3);
    expect(at('/fail-msg')).toHaveLength(1);
  });

  it('waits a callback\'s own retry delay between its attempts', async () => {
    await client.publishJSON({
      url: `${target.url}/fail-then-ko`, body: {}, retries: 0, failureCallback: `${target.url}/fail-ko-spaced`,
      headers: { 'Upstash-Failure-Callback-Retries': '1', 'Upstash-Failure-Callback-Retry-Delay': '1000 * (retried + 2)' },
    });
    const [first, second] = await arrived('/fail-ko-spaced', 2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1900);
  });

  it('refuses settings out of bounds, or without their callback, with 400 naming the header', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ 'Upstash-Callback-Retries': '99999' }, /upstash-callback-retries/],
      [{ 'Upstash-Callback-Retries': 'many' }, /upstash-callback-retries/],
      [{ 'Upstash-Callback-Delay': '400d' }, /upstash-callback-delay/],
      [{ 'Upstash-Callback-Delay': 'soon' }, /upstash-callback-delay/],
      [{ 'Upstash-Failure-Callback-Retries': '1' }, /needs upstash-failure-callback/],
      [{ 'Upstash-Callback-Retry-Delay': 'pow(2, retried' }, /upstash-callback-retry-delay/],
      [{ 'Upstash-Retry-Delay': 'x'.repeat(300) }, /upstash-retry-delay/],
      [{ 'Upstash-Retry-Delay': `${'('.repeat(20)}1${')'.repeat(20)}` }, /upstash-retry-delay: nests deeper/],
      [{ 'Upstash-Retry-Delay': 'process.exit(1)' }, /upstash-retry-delay/],
    ];
    for (const [headers, field] of cases) {
      await expect(client.publishJSON({ url: `${target.url}/never`, body: {}, callback: `${target.url}/cb`, headers }))
        .rejects.toMatchObject({ status: 400, message: expect.stringMatching(field) });
    }
    expect(at('/never')).toHaveLength(0);
  });
});

describe('Upstash-Retry-Delay, through the SDK', () => {
  it('spaces a message\'s attempts by its expression over retried, and tells it back', async () => {
    const sent = await client.publishJSON({ url: `${target.url}/fail-spaced`, body: {}, retries: 2, retryDelay: '1500 * (retried + 1)' });
    const [a, b, c] = await arrived('/fail-spaced', 3);
    expect([a, b, c].map((r) => r!.headers['upstash-retried'])).toEqual(['0', '1', '2']);
    expect(b!.at - a!.at).toBeGreaterThanOrEqual(1400);
    expect(c!.at - b!.at).toBeGreaterThanOrEqual(2900);
    await expect(client.messages.get((sent as { messageId: string }).messageId)).resolves.toMatchObject({ retryDelayExpression: '1500 * (retried + 1)' });
  }, 30_000);

  it('keeps a schedule\'s expression for its ticks, and tells it back', async () => {
    const { scheduleId } = await client.schedules.create({ destination: `${target.url}/never-tick`, cron: '0 0 1 1 *', retryDelay: 'min(60000, 1000 * pow(2, retried))' });
    await expect(client.schedules.get(scheduleId)).resolves.toMatchObject({ retryDelayExpression: 'min(60000, 1000 * pow(2, retried))' });
    await client.schedules.delete(scheduleId);
    await expect(client.schedules.create({ destination: `${target.url}/never-tick`, cron: '0 0 1 1 *', retryDelay: 'min(1)' }))
      .rejects.toMatchObject({ status: 400, message: expect.stringMatching(/upstash-retry-delay: calls min with 1/) });
  });
});
