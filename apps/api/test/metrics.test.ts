import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  freePort, request, sharedRedisUrl, startApi, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type KnockerProcess, type Target,
} from '@knocker/test-kit';

let api: KnockerProcess;
let workers: KnockerProcess[];
let target: Target;

beforeAll(async () => {
  const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('metrics') };
  target = await startTarget((r) => ({ status: r.url === '/fail' ? 500 : 200 }));
  [api, ...workers] = await Promise.all([startApi(opts), startWorker(opts), startWorker(opts)]) as [KnockerProcess, ...KnockerProcess[]];
  const closed = await freePort();
  const send = (path: string, headers: Record<string, string>) => request(`${api.url}${path}`, { method: 'POST', headers: { 'Knocker-Host': target.host, ...headers } });
  for (let i = 0; i < 5; i++) await send('/ok', {});
  await send('/fail', { 'Knocker-Retries': '1', 'Knocker-Backoff-Factor': '0', 'Knocker-Callback': `${target.url}/cb` });
  await send('/x', { 'Knocker-Host': `127.0.0.1:${closed}`, 'Knocker-Retries': '0' });
  await send('/x', { 'Knocker-Retries': 'many' });
  await waitFor(() => target.requests.filter((r) => r.url === '/cb').length === 1 && target.requests.length >= 8, { what: 'deliveries and the callback' });
});
afterAll(async () => {
  await stopAll([api, ...(workers ?? [])]);
  await target?.close();
});

const scrape = async (p: KnockerProcess) => (await request(`${p.url}/metrics`)).text;
const sample = (text: string, series: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};
const sumOver = (texts: string[], series: string) => texts.reduce((n, t) => n + (sample(t, series) ?? 0), 0);

describe('metrics', () => {
  it("the api counts its own traffic under of-watchdog's names", async () => {
    const text = await scrape(api);
    expect(sample(text, 'http_requests_total{code="200",method="POST"}')).toBe(7);
    expect(sample(text, 'http_requests_total{code="400",method="POST"}')).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count{code="200",method="POST"}')).toBe(7);
    expect(text).toMatch(/^# TYPE http_request_duration_seconds histogram$/m);
    expect(text).toMatch(/^# TYPE http_requests_in_flight gauge$/m);
    expect(sample(text, 'knocker_requests_accepted_total')).toBe(7);
    expect(sample(text, 'knocker_requests_refused_total{reason="invalid_request"}')).toBe(1);
  });

  it('each worker publishes its own deliveries; the sum over replicas is what happened', async () => {
    const texts = await Promise.all(workers.map(scrape));
    expect(sumOver(texts, 'knocker_delivery_attempts_total{outcome="delivered",code="200"}')).toBe(5);
    expect(sumOver(texts, 'knocker_delivery_attempts_total{outcome="retried",code="500"}')).toBe(1);
    expect(sumOver(texts, 'knocker_delivery_attempts_total{outcome="failed",code="500"}')).toBe(1);
    expect(sumOver(texts, 'knocker_delivery_attempts_total{outcome="failed",code="502"}')).toBe(1);
    expect(sumOver(texts, 'knocker_callback_attempts_total{outcome="delivered"}')).toBe(1);
    expect(sumOver(texts, 'knocker_delivery_latency_seconds_count')).toBe(5);
    expect(sumOver(texts, 'knocker_delivery_attempt_duration_seconds_count{outcome="delivered"}')).toBe(5);
    for (const t of texts) expect(sample(t, 'knocker_deliveries_in_flight')).toBe(0);
  });

  it('queue gauges come from exactly one replica', async () => {
    const texts = await Promise.all(workers.map(scrape));
    const publishing = texts.filter((t) => sample(t, 'knocker_queue_jobs{queue="deliveries",state="completed"}') !== undefined);
    expect(publishing).toHaveLength(1);
    const [gauges] = publishing as [string];
    expect(sample(gauges, 'knocker_queue_jobs{queue="deliveries",state="completed"}')).toBe(5);
    expect(sample(gauges, 'knocker_queue_jobs{queue="deliveries",state="failed"}')).toBe(2);
    expect(sample(gauges, 'knocker_queue_jobs{queue="deliveries",state="waiting"}')).toBe(0);
    expect(sample(gauges, 'knocker_queue_oldest_waiting_age_seconds{queue="deliveries"}')).toBe(0);
    expect(sample(gauges, 'knocker_queue_workers{queue="deliveries"}')).toBeGreaterThanOrEqual(2);
    // The same replica keeps publishing on the next scrape.
    const again = await Promise.all(workers.map(scrape));
    expect(again.map((t) => t.includes('knocker_queue_jobs{')).filter(Boolean)).toHaveLength(1);
  });

  it('passes promtool check metrics for the api and a worker', async () => {
    for (const p of [api, workers[0] as KnockerProcess]) {
      const check = spawnSync('promtool', ['check', 'metrics'], { input: await scrape(p), encoding: 'utf8' });
      expect(check.error).toBeUndefined();
      expect({ status: check.status, output: `${check.stdout}${check.stderr}` }).toEqual({ status: 0, output: '' });
    }
  });
});

describe('METRICS_ENABLED=false', () => {
  it('serves no /metrics: the path is relayed like any other', async () => {
    const quiet = await startApi({ redisUrl: sharedRedisUrl(), prefix: uniquePrefix('no-metrics'), env: { METRICS_ENABLED: 'false' } });
    try {
      const res = await request(`${quiet.url}/metrics`);
      expect(res.status).toBe(400);
      expect(res.json().errors).toHaveProperty('knocker-host');
    } finally {
      await quiet.kill();
    }
  });
});
