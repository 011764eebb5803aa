import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { deliveryJobId, queueKeys, QUEUES } from '@knocker/keys';
import {
  request, sharedRedisUrl, startApi, startTarget, startWorker, uniquePrefix, waitFor, type ApiProcess, type ChildHandle, type Target,
} from '@knocker/test-kit';

// A request waiting between failed attempts must not grow with each attempt: during an outage
// that is most of a backlog's memory. What each attempt leaves is its record, nothing more.
let api: ApiProcess;
let worker: ChildHandle;
let target: Target;
let redis: Redis;
const prefix = uniquePrefix('retry-memory');
const ADMIN_KEY = 'admin-key-for-tests-0123456789';
const jobKey = (id: string) => queueKeys(prefix, QUEUES.delivery).job(deliveryJobId(id));

beforeAll(async () => {
  const opts = { redisUrl: sharedRedisUrl(), prefix, env: { ADMIN_API_KEY: ADMIN_KEY } };
  [api, worker, target] = await Promise.all([startApi(opts), startWorker(opts), startTarget(() => ({ status: 500 }))]);
  redis = new Redis(sharedRedisUrl());
}, 90_000);

afterAll(async () => {
  await Promise.all([api?.kill(), worker?.kill(), target?.close()]);
  redis?.disconnect();
});

async function failed(retries: number): Promise<{ id: string; bytes: number; view: { attempts: Array<Record<string, unknown>> } }> {
  const res = await request(`${api.url}/hook`, {
    method: 'POST', headers: [['Knocker-Host', target.host], ['Knocker-Retries', String(retries)], ['Knocker-Backoff-Factor', '0']], body: '{"a":1}',
  });
  expect(res.status).toBe(200);
  const { config: { id } } = res.json() as { config: { id: string } };
  const view = await waitFor(async () => {
    const r = await request(`${api.url}/knocker/requests/${id}`, { headers: { 'Knocker-Admin-Key': ADMIN_KEY } });
    const v = r.json() as { state: string; attempts: Array<Record<string, unknown>> };
    return v.state === 'failed' ? v : undefined;
  }, { timeoutMs: 30_000, intervalMs: 200 });
  const bytes = Number(await redis.call('MEMORY', 'USAGE', jobKey(id), 'SAMPLES', '0'));
  return { id, bytes, view };
}

describe('a request failing again and again', () => {
  it('holds about what a request failing once holds, its reasons kept and no stack traces', async () => {
    const once = await failed(0);
    const eleven = await failed(10);
    expect(eleven.view.attempts).toHaveLength(11);
    // Each attempt's reason stays readable in its record and in the failed reason Bull Board shows.
    expect(eleven.view.attempts[10]).toEqual({
      attempt: 11, started_at: expect.any(String), duration_ms: expect.any(Number), status_code: 500, error: 'HTTP 500', error_code: null, error_message: null,
    });
    const fields = await redis.hgetall(jobKey(eleven.id));
    expect(fields.failedReason).toBe('500 HTTP 500');
    expect(JSON.parse(fields.stacktrace ?? '[]')).toEqual([]);
    // Ten more compact records of about 40 bytes each (about 1,400 B in total); a stack trace per
    // attempt was over 300 bytes more, and a keyed record about 150.
    expect(eleven.bytes).toBeLessThan(once.bytes + 10 * 50);
  }, 60_000);
});
