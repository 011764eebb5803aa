import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { deliveryJobId } from '@knocker/keys';
import { request, sharedRedisUrl, shardQueues, startApi, uniquePrefix, type ApiProcess, type ShardQueues } from '@knocker/test-kit';

const KEYS = ['first-api-key-0123456789', 'second-api-key-9876543210'];
const ADMIN_KEY = 'access-admin-key-0123456789';
const prefix = uniquePrefix('access');
let api: ApiProcess;
let redis: Redis;
let queues: ShardQueues;

beforeAll(async () => {
  api = await startApi({
    redisUrl: sharedRedisUrl(), prefix,
    env: { KNOCKER_API_KEYS: KEYS.join(','), ADMIN_API_KEY: ADMIN_KEY, BLOCK_PRIVATE_NETWORKS: 'true', ALLOWED_NETWORKS: '127.0.0.0/8', LOG_LEVEL: 'debug' },
  });
  redis = new Redis(sharedRedisUrl(), { maxRetriesPerRequest: null });
  queues = shardQueues(redis, prefix);
});
afterAll(async () => {
  await api?.kill();
  await queues?.delivery.obliterate({ force: true });
  await queues?.close();
  redis?.disconnect();
});

const knock = (headers: Array<[string, string]>) => request(`${api.url}/hook`, { method: 'POST', headers, body: 'x' });

describe('KNOCKER_API_KEYS', () => {
  it.each([
    ['no key', [], /is required/],
    ['a wrong key', [['Knocker-Api-Key', 'not-one-of-the-keys-0000']], /is not a valid api key/],
    ['a key that is a prefix of a real one', [['Knocker-Api-Key', KEYS[0]!.slice(0, -1)]], /is not a valid api key/],
    ['the key twice', [['Knocker-Api-Key', KEYS[0]!], ['Knocker-Api-Key', KEYS[0]!]], /must be given once/],
  ] as Array<[string, Array<[string, string]>, RegExp]>)('refuses %s with 401 naming knocker-api-key, and stores nothing', async (_what, key, message) => {
    const id = `unauthorized-${Math.random().toString(36).slice(2)}`;
    const res = await knock([['Knocker-Host', 'target.example'], ['Knocker-Id', id], ...key]);
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({ status: false, code: 'unauthorized', errors: { 'knocker-api-key': [expect.stringMatching(message)] } });
    expect(res.text).not.toContain(KEYS[0]);
    expect(await queues.delivery.getJob(deliveryJobId(id))).toBeUndefined();
  });

  it('accepts every configured key and keeps it out of the answer and the stored job', async () => {
    for (const [i, key] of KEYS.entries()) {
      const res = await knock([['Knocker-Host', 'target.example'], ['Knocker-Api-Key', key], ['Knocker-Id', `authorized-${i}`], ['Knocker-Trace', 't']]);
      expect(res.status).toBe(200);
      expect(res.json().config['knocker-trace']).toBe('t');
      expect(res.text).not.toContain(key);
      const job = await queues.delivery.getJob(deliveryJobId(`authorized-${i}`));
      expect(JSON.stringify(job?.data)).not.toContain(key);
    }
  });

  it('needs one of the keys, or the admin key, to add a log line', async () => {
    expect((await knock([['Knocker-Host', 'target.example'], ['Knocker-Api-Key', KEYS[0]!], ['Knocker-Id', 'logged']])).status).toBe(200);
    const log = (headers: Array<[string, string]>) => request(`${api.url}/knocker/log?id=logged`, { method: 'POST', headers, body: 'a line' });
    for (const headers of [[], [['Knocker-Api-Key', 'not-one-of-the-keys-0000']], [['Knocker-Admin-Key', 'not-the-admin-key-00000']]] as Array<Array<[string, string]>>) {
      const refused = await log(headers);
      expect([refused.status, refused.json()]).toEqual([401, { status: false, code: 'unauthorized', errors: { 'knocker-api-key': [expect.any(String)] } }]);
    }
    expect((await log([['Knocker-Api-Key', KEYS[1]!]])).json()).toEqual({ status: true, id: 'logged', lines: 1 });
    expect((await log([['Knocker-Admin-Key', ADMIN_KEY]])).json()).toEqual({ status: true, id: 'logged', lines: 2 });
  });

  it('leaves the status page open, as Knocker has it', async () => {
    expect((await request(`${api.url}/knocker/status`)).status).toBe(200);
  });
});

describe('IP literals refused at the door', () => {
  it.each([
    ['knocker-host', '169.254.169.254', /169\.254\.0\.0\/16 \(link-local\)/],
    ['knocker-host', '[fe80::1]:8080', /fe80::\/10 \(link-local\)/],
    ['knocker-host', '[::ffff:169.254.169.254]', /link-local/],
    ['knocker-host', '10.0.0.1:9000', /10\.0\.0\.0\/8 \(private\), refused because BLOCK_PRIVATE_NETWORKS is on/],
    ['knocker-host', '167772161', /167772161 \(10\.0\.0\.1\) is in 10\.0\.0\.0\/8|10\.0\.0\.1 is in 10\.0\.0\.0\/8/],
    ['knocker-callback', 'http://192.168.1.1/failed', /192\.168\.0\.0\/16 \(private\)/],
    ['knocker-callback', 'http://[fd00:ec2::254]/', /cloud-metadata/],
  ])('refuses %s %s with 400 naming the header', async (header, value, reason) => {
    const headers: Array<[string, string]> = [['Knocker-Api-Key', KEYS[0]!], ['Knocker-Id', 'literal'], ['Knocker-Host', 'target.example']];
    const res = await knock([...headers.filter(([n]) => n.toLowerCase() !== header), [header, value]]);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ status: false, code: 'invalid_request', errors: { [header]: [expect.stringMatching(reason)] } });
    expect(await queues.delivery.getJob(deliveryJobId('literal'))).toBeUndefined();
  });

  it('lets ALLOWED_NETWORKS through', async () => {
    const res = await knock([['Knocker-Api-Key', KEYS[1]!], ['Knocker-Host', '127.0.0.1:9'], ['Knocker-Callback', 'http://127.0.0.1:9/cb']]);
    expect(res.status).toBe(200);
  });
});
