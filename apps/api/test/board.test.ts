import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { deliveryJobId } from '@knocker/keys';
import {
  request, sharedRedisUrl, startApi, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type ApiProcess, type KnockerProcess, type Target,
  shardQueues, type ShardQueues,
} from '@knocker/test-kit';

// Bull Board driven in a real headless Chromium: what an operator sees and can do.
// CHROMIUM_PATH points elsewhere on machines whose Chromium is not the distribution's.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  // Otherwise Chromium calls home (updates, sync, field trials) on its own.
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];
const WAIT_MS = 15_000;

const BOARD = '/admin/queues';
const USER = 'ops';
// A colon in the password: basic auth splits on the first one only.
const PASSWORD = 'pa:ss word';
const ID = 'board-1';
const JOB_ID = deliveryJobId(ID);
const BODY = 'hello from the board test';
const PATH = '/hook?from=board';
// A second delivery, waiting ten minutes for its retry: the failed list must not show it.
const LATER_ID = deliveryJobId('board-later');

const prefix = uniquePrefix('board');
let target: Target;
let api: ApiProcess;
let worker: KnockerProcess;
let redis: Redis;
let queues: ShardQueues;
let browser: Browser;

/** The failing delivery's requests, as the target saw them. */
const hooks = () => target.requests.filter((r) => r.url === PATH);
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

beforeAll(async () => {
  // Each answer closes its connection: the retry must not depend on whether the worker's idle
  // keep-alive socket outlived the target's keep-alive timeout in the seconds between.
  target = await startTarget(() => ({ status: 500, headers: { connection: 'close' }, body: 'down for now' }));
  redis = new Redis(sharedRedisUrl(), { maxRetriesPerRequest: null });
  queues = shardQueues(redis, prefix);
  // Side by side; each is kept as soon as it is up, so afterAll stops whatever did start.
  const started = await Promise.allSettled([
    startApi({ redisUrl: sharedRedisUrl(), prefix, env: { BOARD_USER: USER, BOARD_PASSWORD: PASSWORD } }).then((p) => (api = p)),
    startWorker({ redisUrl: sharedRedisUrl(), prefix }).then((p) => (worker = p)),
    chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: WAIT_MS }).then((b) => (browser = b)),
  ]);
  for (const s of started) if (s.status === 'rejected') throw s.reason;

  const accepted = await Promise.all([
    request(`${api.url}${PATH}`, {
      method: 'POST',
      headers: { 'Knocker-Host': target.host, 'Knocker-Retries': '0', 'Knocker-Id': ID, 'Content-Type': 'text/plain' },
      body: BODY,
    }),
    request(`${api.url}/later`, {
      method: 'POST',
      headers: { 'Knocker-Host': target.host, 'Knocker-Retries': '1', 'Knocker-Backoff-Factor': '600', 'Knocker-Id': 'board-later' },
    }),
  ]);
  expect(accepted.map((r) => r.status)).toEqual([200, 200]);
  await waitFor(async () => (await queues.delivery.getJobState(JOB_ID)) === 'failed', { timeoutMs: WAIT_MS, what: `${JOB_ID} to fail` });
  await waitFor(async () => (await queues.delivery.getJobState(LATER_ID)) === 'delayed', { timeoutMs: WAIT_MS, what: `${LATER_ID} to wait for its retry` });
  expect(hooks()).toHaveLength(1);
});

afterAll(async () => {
  await browser?.close();
  await stopAll([api, worker].filter(Boolean));
  await target?.close();
  if (queues) {
    await Promise.all([queues.delivery.obliterate({ force: true }), queues.callback.obliterate({ force: true })]);
    await queues.close();
  }
  redis?.disconnect();
});

describe('Bull Board access', () => {
  it.each([`${BOARD}`, `${BOARD}/api/queues`, `${BOARD}/api/queues/deliveries/${JOB_ID}`])('answers 401 on %s without the right credentials', async (path) => {
    const none = await request(`${api.url}${path}`);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toMatch(/^Basic realm=/);
    // Like the rest of the ingress, the board does not name its framework to strangers.
    expect(none.headers['x-powered-by']).toBeUndefined();
    expect(none.text).not.toContain(ID);
    for (const authorization of [basic(USER, 'wrong'), basic('someone', PASSWORD), basic(USER, `${PASSWORD}x`), basic(USER, 'pa'), `Bearer ${PASSWORD}`]) {
      const wrong = await request(`${api.url}${path}`, { headers: { authorization } });
      expect({ authorization, status: wrong.status }).toEqual({ authorization, status: 401 });
      expect(wrong.text).not.toContain(ID);
    }
    // The same path with the right credentials, so the 401s above are about credentials.
    const right = await request(`${api.url}${path}`, { headers: { authorization: basic(USER, PASSWORD) } });
    expect(right.status).toBe(200);
    expect(right.headers['x-powered-by']).toBeUndefined();
  });

  it('keeps its path: what it does not serve is not found, not relayed', async () => {
    const stray = await request(`${api.url}${BOARD}/no-such-page`, {
      method: 'POST',
      headers: { authorization: basic(USER, PASSWORD), 'Knocker-Host': target.host, 'Knocker-Id': 'board-stray' },
    });
    expect(stray.status).toBe(404);
    expect(await queues.delivery.getJob(deliveryJobId('board-stray'))).toBeUndefined();
  });
});

describe('Bull Board in a browser', () => {
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    context = await browser.newContext({ httpCredentials: { username: USER, password: PASSWORD } });
    context.setDefaultTimeout(WAIT_MS);
    // The board links a web font; nothing but the api is needed (or reachable).
    await context.route((url) => url.hostname !== '127.0.0.1', (route) => route.abort());
    page = await context.newPage();
  });
  afterAll(async () => {
    await context?.close();
  });

  // Bull Board's job card; its CSS-module class names start with the component's name.
  const jobCard = () => page.locator('[class^="card-"]').filter({ has: page.getByRole('link', { name: JOB_ID, exact: true }) });

  it('lists both queues', async () => {
    const res = await page.goto(`${api.url}${BOARD}`);
    expect(res?.status()).toBe(200);
    const nav = page.getByRole('navigation');
    await nav.getByRole('link', { name: 'deliveries', exact: true }).waitFor();
    await nav.getByRole('link', { name: 'callbacks', exact: true }).waitFor();
    expect(await nav.getByRole('link').allInnerTexts()).toEqual(['deliveries', 'callbacks', 'schedules']);
  });

  it('shows the failed delivery with its data and its error', async () => {
    await page.getByRole('navigation').getByRole('link', { name: 'deliveries', exact: true }).click();
    await page.getByRole('main').getByRole('link', { name: /^FAILED/ }).click();
    await page.waitForURL((url) => url.pathname === `${BOARD}/queue/deliveries` && url.searchParams.get('status') === 'failed');

    const card = jobCard();
    await card.waitFor();
    // Only failed jobs: not the delivery waiting for its retry.
    expect(await page.getByRole('link', { name: LATER_ID }).count()).toBe(0);
    await card.getByText(`POST ${target.host}`, { exact: true }).waitFor();

    // A failed job opens on its error: the failed reason the worker stored, with the target's status.
    const { failedReason } = (await queues.delivery.getJob(JOB_ID))!;
    expect(failedReason).toMatch(/\b500\b/);
    const error = await card.getByRole('tabpanel').innerText();
    expect(error).toContain(failedReason);

    await card.getByRole('tab', { name: 'Data' }).click();
    const data = card.getByRole('tabpanel');
    await data.getByText(`"${target.url}${PATH}"`).waitFor();
    const text = await data.innerText();
    expect(text).toContain(`"${ID}"`);
    expect(text).toContain(`"${Buffer.from(BODY).toString('base64')}"`);
  });

  it('retries the job, which is then delivered', async () => {
    target.respond = () => ({ status: 200, headers: { connection: 'close' }, body: 'ok now' });
    const retry = jobCard().locator('button:has(svg.lucide-refresh-cw)');
    // The job actions are icon buttons; the tooltip says which one this is.
    await retry.hover();
    await page.getByText('Retry', { exact: true }).waitFor();
    await retry.click();

    const dialog = page.getByRole('alertdialog');
    await dialog.getByText('retry this job').waitFor();
    const [answer] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'PUT' && r.url().includes(`/api/queues/deliveries/${JOB_ID}/retry`)),
      dialog.getByRole('button', { name: 'Confirm' }).click(),
    ]);
    expect(answer.status()).toBeLessThan(300);

    const [, again] = await waitFor(() => hooks().length >= 2 && hooks(), { timeoutMs: WAIT_MS, what: `the target to receive ${JOB_ID} again` });
    expect(again?.body.toString()).toBe(BODY);
    expect(again?.headers['content-type']).toBe('text/plain');
    await waitFor(async () => (await queues.delivery.getJobState(JOB_ID)) === 'completed', { timeoutMs: WAIT_MS, what: `${JOB_ID} to complete` });
    expect(hooks()).toHaveLength(2);

    // And the board shows it among the completed jobs.
    await page.getByRole('main').getByRole('link', { name: /^COMPLETED/ }).click();
    await jobCard().waitFor();
  });
});
