import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Client, Receiver } from '@upstash/qstash';
import { request, startTarget, uniquePrefix, type Recorded, type Reply, type Target } from '@knocker/test-kit';
import { arrivals, startDoor, verify, type Door } from './qstash-door.js';

// Rolling the signing keys as QStash's users do: the workers restart with the next key as the
// current one and a new next key. A receiver still holding the old pair keeps accepting what
// is sent, through its next key; one that knows only the old current key refuses it, which is
// what shows the new key signs. A message waiting across the rotation is signed anew.
const TOKEN = 'qstash-token-for-rotation-0123456789';
const OLD = 'sig_rotation_old_0123456789abcdef';
const NEXT = 'sig_rotation_next_0123456789abcde';
const NEW = 'sig_rotation_new_0123456789abcdef';

const prefix = uniquePrefix('qstash-rot');
let target: Target;
let door: Door | undefined;

const oldPair = new Receiver({ currentSigningKey: OLD, nextSigningKey: NEXT });
const newPair = new Receiver({ currentSigningKey: NEXT, nextSigningKey: NEW });
const oldOnly = new Receiver({ currentSigningKey: OLD, nextSigningKey: OLD });

const start = async (current: string, next: string): Promise<Client> => {
  door = await startDoor(prefix, { token: TOKEN, current, next });
  return door.client;
};

beforeAll(async () => {
  // /rot-flaky asks for 5 s before its retry on the first attempt: time for the restart.
  target = await startTarget((req): Reply => {
    if (req.url.startsWith('/rot-fail')) return { status: 500, body: 'down' };
    if (req.url.startsWith('/rot-flaky') && req.headers['upstash-retried'] === '0') return { status: 503, headers: { 'Retry-After': '5' }, body: 'later' };
    return { status: 200, body: 'done' };
  });
});

afterAll(async () => {
  await Promise.all([door?.kill(), target?.close()]);
});

const arrived = (path: string, count = 1) => arrivals(target).arrived(path, count);
const check = (receiver: Receiver, rec: Recorded) => verify(receiver, target, rec);

describe('rolling the signing keys', () => {
  it('signs with the current key, and after a restart with rotated keys with the new one', async () => {
    let client = await start(OLD, NEXT);
    await client.publishJSON({ url: `${target.url}/rot-before`, body: { n: 1 }, callback: `${target.url}/rot-cb-before` });
    await client.publishJSON({ url: `${target.url}/rot-flaky`, body: { n: 2 }, retries: 2, callback: `${target.url}/rot-cb-across` });
    const before = [...(await arrived('/rot-before')), ...(await arrived('/rot-cb-before')), ...(await arrived('/rot-flaky'))];
    for (const rec of before) {
      await expect(check(oldPair, rec)).resolves.toBe(true);
      await expect(check(oldOnly, rec)).resolves.toBe(true);
      await expect(check(newPair, rec)).rejects.toThrow(/signature/);
    }
    // Due while no worker runs: the next worker's key signs it.
    await client.publishJSON({ url: `${target.url}/rot-delayed`, body: { n: 3 }, delay: 3 });

    await door!.kill();
    client = await start(NEXT, NEW);
    const keysNow = await request(`${door!.api.url}/knocker/qstash/v2/keys`, { headers: { Authorization: `Bearer ${TOKEN}` } });
    expect(keysNow.json()).toEqual({ current: NEXT, next: NEW });
    await client.publishJSON({ url: `${target.url}/rot-fail`, body: { n: 4 }, retries: 0, failureCallback: `${target.url}/rot-ko-after` });

    const retried = (await arrived('/rot-flaky', 2))[1]!;
    expect(retried.headers['upstash-retried']).toBe('1');
    const after = [retried, ...(await arrived('/rot-cb-across')), ...(await arrived('/rot-delayed')), ...(await arrived('/rot-fail')), ...(await arrived('/rot-ko-after'))];
    expect(after).toHaveLength(5);
    for (const rec of after) {
      await expect(check(oldPair, rec)).resolves.toBe(true);
      await expect(check(newPair, rec)).resolves.toBe(true);
      await expect(check(oldOnly, rec)).rejects.toThrow(/signature/);
    }
  }, 60_000);
});
