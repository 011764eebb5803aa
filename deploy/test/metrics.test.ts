// Every series the dashboard and the alerting rules read exists in what a running api and
// worker really serve on /metrics, with the labels the queries select on. Names are compared
// as exposed: a histogram is only ever queried as name_bucket, name_sum or name_count.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  freePort, request, sharedRedisUrl, startApi, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type KnockerProcess, type Target,
} from '@knocker/test-kit';
import { alertExprs, dashboardExprs, fromGrafana, matches, selectors, type Selector } from './promql.js';
import { readYaml } from './repo.js';

interface Series {
  name: string;
  labels: Record<string, string>;
}

/** The samples of a Prometheus text exposition. */
function parseExposition(text: string): Series[] {
  return text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map((line) => {
    const [, name = '', body = ''] = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s/) ?? [];
    const labels: Record<string, string> = {};
    for (const [, k = '', v = ''] of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[k] = JSON.parse(`"${v}"`) as string;
    return { name, labels };
  });
}

// Prometheus adds these to every scraped series; `job` says which process serves it.
const TARGET_LABELS = new Set(['job', 'instance']);
const jobs = (readYaml('deploy/prometheus/prometheus.yml').scrape_configs as Array<{ job_name: string }>).map((j) => j.job_name);

let api: KnockerProcess;
let offline: KnockerProcess;
let worker: KnockerProcess;
let target: Target;
const scraped: Record<string, Series[]> = {};

beforeAll(async () => {
  const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('deploy-metrics') };
  target = await startTarget((r) => ({ status: r.url === '/fail' ? 500 : 200 }));
  // A second api whose Redis is gone, so the queue_unavailable refusals exist too.
  const nowhere = `redis://127.0.0.1:${await freePort()}`;
  [api, worker, offline] = await Promise.all([
    // Flow control on (a breaker nobody trips here), so its series are served too.
    startApi(opts), startWorker({ ...opts, env: { BREAKER_FAILURES: '100' } }), startApi({ ...opts, redisUrl: nowhere, env: { REDIS_TIMEOUT_MS: '200' } }),
  ]);
  const send = (to: KnockerProcess, path: string, headers: Record<string, string>) =>
    request(`${to.url}${path}`, { method: 'POST', headers: { 'Knocker-Host': target.host, ...headers }, body: '{}' });
  const closed = await freePort();
  for (let i = 0; i < 3; i++) expect((await send(api, '/ok', {})).status).toBe(200);
  expect((await send(api, '/fail', { 'Knocker-Retries': '1', 'Knocker-Backoff-Factor': '0', 'Knocker-Callback': `${target.url}/cb` })).status).toBe(200);
  expect((await send(api, '/x', { 'Knocker-Host': `127.0.0.1:${closed}`, 'Knocker-Retries': '0' })).status).toBe(200);
  // A failure whose callback fails too.
  expect((await send(api, '/fail', { 'Knocker-Retries': '0', 'Knocker-Callback': `http://127.0.0.1:${closed}/cb` })).status).toBe(200);
  expect((await send(api, '/x', { 'Knocker-Retries': 'many' })).status).toBe(400);
  expect((await send(offline, '/x', {})).status).toBe(503);
  await waitFor(() => target.requests.some((r) => r.url === '/cb'), { what: 'the failure callback' });
  await waitFor(async () => {
    const text = (await request(`${worker.url}/metrics`)).text;
    return text.includes('knocker_delivery_attempts_total{outcome="failed",code="502"}') && text.includes('knocker_callback_attempts_total{outcome="failed"}');
  }, { what: 'the failed delivery and the failed callback to be counted' });

  const scrape = async (p: KnockerProcess) => parseExposition((await request(`${p.url}/metrics`)).text);
  scraped['knocker-api'] = [...(await scrape(api)), ...(await scrape(offline))];
  scraped['knocker-worker'] = await scrape(worker);
}, 60_000);

afterAll(async () => {
  await stopAll([api, worker, offline].filter(Boolean));
  await target?.close();
});

/** Why a selector finds nothing in the live scrapes, or undefined when it finds something. */
function problem(s: Selector): string | undefined {
  const job = s.matchers.find((m) => m.label === 'job');
  if (job && job.op === '=' && !jobs.includes(job.value)) return `job "${job.value}" is not a job of prometheus.yml`;
  // `up` is written by Prometheus for each target, not served by the apps.
  if (s.metric === 'up') return job ? undefined : 'up without a job';
  const sources = Object.entries(scraped).filter(([name]) => !job || matches({ job: name }, [job])).flatMap(([, series]) => series);
  const own = s.matchers.filter((m) => !TARGET_LABELS.has(m.label));
  if (!sources.some((x) => x.name === s.metric)) return 'no such series';
  return sources.some((x) => x.name === s.metric && matches(x.labels, own)) ? undefined : 'no series with these labels';
}

describe('queries against live /metrics', () => {
  it('the scrapes expose histograms as _bucket, _sum and _count only', () => {
    const names = new Set(Object.values(scraped).flat().map((x) => x.name));
    expect(names.has('http_request_duration_seconds_bucket')).toBe(true);
    expect(names.has('http_request_duration_seconds')).toBe(false);
  });

  it.each([
    ['the dashboard', () => dashboardExprs().map(fromGrafana)],
    ['the alerting rules', alertExprs],
  ])('every series %s reads is served, with the labels it selects', (_what, exprs) => {
    const all = exprs().flatMap((expr) => selectors(expr).map((s) => ({ expr, s })));
    expect(all.length).toBeGreaterThan(5);
    const missing = all.flatMap(({ expr, s }) => {
      const why = problem(s);
      return why ? [`${s.metric}{${s.matchers.map((m) => `${m.label}${m.op}"${m.value}"`).join(',')}}: ${why} (in ${expr.trim()})`] : [];
    });
    expect(missing).toEqual([]);
  });
});
