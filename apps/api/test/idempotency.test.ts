import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request, sharedRedisUrl, sleep, startApi, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type ApiProcess, type ChildHandle, type Target } from '@knocker/test-kit';

// Two apis on one queue, as behind a load balancer, and one worker.
const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('idempotency') };
let apis: ApiProcess[];
let forgetful: ApiProcess;
let worker: ChildHandle;
// RETAIN_* is applied by the workers, as they finish jobs: this pair has its own queue.
let forgetfulWorker: ChildHandle;
const forgetfulOpts = { ...opts, prefix: uniquePrefix('idempotency-forgetful') };
let t: Target;

beforeAll(async () => {
  t = await startTarget(() => ({ status: 200, delayMs: 20 }));
  [apis, forgetful, worker, forgetfulWorker] = await Promise.all([
    Promise.all([startApi(opts), startApi(opts)]),
    startApi(forgetfulOpts),
    startWorker(opts),
    startWorker({ ...forgetfulOpts, env: { RETAIN_COMPLETED_COUNT: '0' } }),
  ]);
});

afterAll(async () => {
  await stopAll([...(apis ?? []), forgetful, worker, forgetfulWorker].filter(Boolean));
  await t?.close();
});

const send = (api: ApiProcess, id: string, client: number) => request(`${api.url}/hook?client=${client}`, {
  method: 'POST',
  headers: { 'Knocker-Host': t.host, 'Knocker-Id': id, 'Knocker-Trace': `client-${client}`, 'X-Client': String(client) },
  body: `body of client ${client}`,
});

const deliveriesOf = (id: string) => t.requests.filter((r) => r.headers['x-knocker-id'] === id);

describe('a Knocker-Id sent again', () => {
  it('racing itself from many clients over two apis: one job, one delivery, and every other answer says so', async () => {
    const clients = Array.from({ length: 40 }, (_, i) => i);
    const answers = await Promise.all(clients.map((i) => send(apis[i % 2]!, 'race-1', i)));
    expect(answers.map((a) => a.status)).toEqual(clients.map(() => 200));
    const bodies = answers.map((a) => a.json());
    const fresh = bodies.filter((b) => b.duplicate !== true);
    expect(fresh).toHaveLength(1);
    const [winner] = fresh;
    expect(winner).not.toHaveProperty('duplicate');
    for (const b of bodies.filter((x) => x.duplicate === true)) {
      expect(b).toEqual({ status: true, duplicate: true, id: 'race-1', state: expect.stringMatching(/^(waiting|active|delivered)$/) });
    }

    const [delivered] = await waitFor(() => deliveriesOf('race-1').length > 0 && deliveriesOf('race-1'), { what: 'the delivery' });
    await sleep(500);
    expect(deliveriesOf('race-1')).toHaveLength(1);
    const client = winner.config['knocker-trace'].replace('client-', '');
    expect(delivered?.url).toBe(`/hook?client=${client}`);
    expect(delivered?.body.toString()).toBe(`body of client ${client}`);
  });

  it('is still a duplicate after its delivery, while the request is retained', async () => {
    expect((await send(apis[0]!, 'resend-1', 1)).json()).not.toHaveProperty('duplicate');
    await waitFor(() => deliveriesOf('resend-1').length === 1, { what: 'the delivery' });
    await sleep(200);
    expect((await send(apis[1]!, 'resend-1', 2)).json()).toEqual({ status: true, duplicate: true, id: 'resend-1', state: 'delivered' });
    await sleep(300);
    expect(deliveriesOf('resend-1')).toHaveLength(1);
  });

  it('is a new request once the old one was removed after RETAIN_*', async () => {
    expect((await send(forgetful, 'forgotten-1', 1)).json()).not.toHaveProperty('duplicate');
    await waitFor(() => deliveriesOf('forgotten-1').length === 1, { what: 'the first delivery' });
    // RETAIN_COMPLETED_COUNT=0: the job is removed as soon as it is delivered.
    await waitFor(async () => (await send(forgetful, 'forgotten-1', 2)).json().duplicate !== true, { what: 'the id to be forgotten' });
    await waitFor(() => deliveriesOf('forgotten-1').length === 2, { what: 'the second delivery' });
  });
});
