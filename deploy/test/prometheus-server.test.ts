// A real Prometheus (Debian's package) scrapes a running api and two workers every second with
// the shipped alerting rules: every expression of the dashboard and of the rules answers with
// data, or its emptiness is explained, and KnockerNoWorker fires once the workers are gone.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { parser } from '@prometheus-io/lezer-promql';
import {
  freePort, request, sharedRedisUrl, startApi, startTarget, startWorker, stopAll, uniquePrefix, waitFor, type KnockerProcess, type Target,
} from '@knocker/test-kit';
import { stringify } from 'yaml';
import { ALERTS, alertExprs, dashboardExprs, fromGrafana } from './promql.js';
import { read, readYaml } from './repo.js';

let dir: string;
let prometheus: ChildProcess | undefined;
let prometheusOutput = '';
let promUrl: string;
let apis: KnockerProcess[] = [];
let workers: KnockerProcess[] = [];
let target: Target;

const jobNames = (readYaml('deploy/prometheus/prometheus.yml').scrape_configs as Array<{ job_name: string }>).map((j) => j.job_name);

/** The shipped rules with every `for:` and subquery step cut to seconds, so a test can see them act. */
function testableRules() {
  const rules = readYaml(ALERTS) as { groups: Array<{ rules: Array<{ alert: string; for?: string; expr: string }> }> };
  for (const rule of rules.groups.flatMap((g) => g.rules)) {
    if (rule.for) rule.for = '2s';
    rule.expr = rule.expr.replace(/\[(\d+m):1m\]/g, '[$1:1s]');
  }
  return rules;
}
const rules = testableRules();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'knocker-prometheus-'));
  const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('deploy-prom') };
  target = await startTarget((r) => ({ status: r.url === '/fail' ? 500 : 200 }));
  // A second api whose Redis is gone, so refusals for queue_unavailable exist too.
  const nowhere = `redis://127.0.0.1:${await freePort()}`;
  apis = await Promise.all([startApi(opts), startApi({ ...opts, redisUrl: nowhere, env: { REDIS_TIMEOUT_MS: '200' } })]);
  workers = await Promise.all([startWorker(opts), startWorker(opts)]);
  const [api, offline] = apis as [KnockerProcess, KnockerProcess];

  // Traffic with every outcome the dashboard shows: deliveries, a retried and failed request
  // with a callback, a failure whose callback fails too, a refused request and a 503. Sent
  // once before the first scrape, so every series exists, and once after it, so rates move.
  const send = (to: KnockerProcess, path: string, headers: Record<string, string>) =>
    request(`${to.url}${path}`, { method: 'POST', headers: { 'Knocker-Host': target.host, ...headers }, body: '{}' });
  const closed = await freePort();
  const traffic = async (round: number) => {
    for (let i = 0; i < 5; i++) expect((await send(api, '/ok', {})).status).toBe(200);
    expect((await send(api, '/fail', { 'Knocker-Retries': '1', 'Knocker-Backoff-Factor': '0', 'Knocker-Callback': `${target.url}/cb` })).status).toBe(200);
    expect((await send(api, '/fail', { 'Knocker-Retries': '0', 'Knocker-Callback': `http://127.0.0.1:${closed}/cb` })).status).toBe(200);
    expect((await send(api, '/x', { 'Knocker-Retries': 'many' })).status).toBe(400);
    expect((await send(offline, '/x', {})).status).toBe(503);
    await waitFor(() => target.requests.filter((r) => r.url === '/cb').length >= round, { what: 'the failure callback', timeoutMs: 20_000 });
    // The callback that cannot be delivered is counted failed last.
    await waitFor(async () => (await Promise.all(workers.map((w) => request(`${w.url}/metrics`))))
      .reduce((sum, r) => sum + Number(r.text.match(/^knocker_callback_attempts_total\{outcome="failed"\} (\d+)/m)?.[1] ?? 0), 0) >= round,
    { what: 'the failed callback counted', timeoutMs: 20_000 });
  };
  await traffic(1);

  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  const [apiJob, workerJob] = jobNames as [string, string];
  await writeFile(join(dir, 'alerts.yml'), stringify(rules));
  await writeFile(join(dir, 'prometheus.yml'), stringify({
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: ['alerts.yml'],
    scrape_configs: [
      { job_name: apiJob, static_configs: [{ targets: apis.map((a) => `127.0.0.1:${a.port}`) }] },
      { job_name: workerJob, static_configs: [{ targets: workers.map((w) => `127.0.0.1:${w.port}`) }] },
    ],
  }));
  prometheus = spawn('prometheus', [
    `--config.file=${join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  for (const s of [prometheus.stdout, prometheus.stderr]) s?.on('data', (d: Buffer) => { prometheusOutput += d.toString(); });
  await waitFor(() => request(`${promUrl}/-/ready`).then((r) => r.status === 200, () => false), { timeoutMs: 30_000, what: 'Prometheus ready' });
  const scrapes = (n: number) => waitFor(async () => (await query(`count(count_over_time(up[5m]) >= ${n})`))[0]?.value[1] === '4', { timeoutMs: 30_000, intervalMs: 250, what: `${n} scrapes of every target` });
  await scrapes(1);
  await traffic(2);
  // Two more scrapes: the second round is in, and every rate has samples on both sides of it.
  const seen = Number((await query('max(count_over_time(up[5m]))'))[0]?.value[1]);
  await scrapes(seen + 2);
}, 120_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus!.once('exit', r));
    prometheus.kill('SIGTERM');
    await exited;
  }
  await stopAll([...apis, ...workers]);
  await target?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

async function query(expr: string): Promise<Sample[]> {
  const res = await request(`${promUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = res.json<{ status: string; error?: string; data: { resultType: string; result: Sample[] } }>();
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}\n${prometheusOutput.slice(-2000)}`);
  // A scalar (vector(0) == 0 folded) comes back as one value.
  return body.data.resultType === 'scalar' ? [{ metric: {}, value: body.data.result as unknown as [number, string] }] : body.data.result;
}

type Node = NonNullable<ReturnType<ReturnType<typeof parser.parse>['topNode']['getChild']>>;
const COMPARISONS = new Set(['Gtr', 'Lss', 'Gte', 'Lte', 'Eql', 'Neq']);
const SETS = new Set(['And', 'Or', 'Unless']);

/**
 * Why an expression is right to return what it returns: data, or, for an empty answer, that
 * each operand of its comparison or set operation has data (the condition is simply false
 * now), or that absent() sees its series. Throws when an empty answer has no such reason.
 */
async function explain(expr: string, node: Node = parser.parse(expr).topNode.firstChild!): Promise<string> {
  const text = expr.slice(node.from, node.to);
  const result = await query(text);
  if (result.length > 0) return `${text.replace(/\s+/g, ' ')} → ${result.length} series, e.g. ${result[0]!.value[1]}`;
  if (node.name === 'ParenExpr') return explain(expr, node.firstChild!);
  const children: Node[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) children.push(c);
  const op = children.find((c) => COMPARISONS.has(c.name) || SETS.has(c.name));
  if (node.name === 'BinaryExpr' && op && !children.some((c) => c.name === 'BoolModifier')) {
    const operands = [children[0]!, children.at(-1)!].filter((c) => c.name !== 'NumberDurationLiteral');
    const why = await Promise.all(operands.map((o) => explain(expr, o)));
    return `${text.replace(/\s+/g, ' ')} → empty: ${COMPARISONS.has(op.name) ? 'the comparison is false now' : `${op.name.toLowerCase()} of empty sides`} (${why.join('; ')})`;
  }
  if (node.name === 'FunctionCall' && expr.slice(node.from, node.to).startsWith('absent(')) {
    const inner = node.getChild('FunctionCallBody')!.firstChild!;
    return `${text} → empty: its series exists (${await explain(expr, inner)})`;
  }
  if (FLOW_SERIES.test(text) && (await flowControlOff())) return `${text} → empty: flow control is off in this run, and its series exist only when it is on`;
  throw new Error(`${text} is empty, and nothing explains it`);
}

// The flow-control panels and alert read series a worker exports only with a HOST_* or
// BREAKER_* variable set; docs/flow-control.md's own tests cover them with it on.
const FLOW_SERIES = /\bknocker_flow_/;
async function flowControlOff(): Promise<boolean> {
  return (await query('count({__name__=~"knocker_flow_.*"})')).length === 0 && (await query(`count(up{job="${jobNames[1]}"} == 1)`)).length > 0;
}

describe('a real Prometheus scraping an api and two workers', () => {
  it('loaded every rule of the shipped file (a copy with shorter durations)', async () => {
    const loaded = (await request(`${promUrl}/api/v1/rules`)).json<{ data: { groups: Array<{ rules: Array<{ name: string }> }> } }>();
    const names = loaded.data.groups.flatMap((g) => g.rules.map((r) => r.name)).sort();
    expect(names).toEqual([...read(ALERTS).matchAll(/- alert: (\S+)/g)].map((m) => m[1]).sort());
  });

  it.each([
    ['the dashboard', () => dashboardExprs().map(fromGrafana)],
    // As Prometheus evaluates them here: a subquery step of 1s instead of 1m, so it has points.
    ['the alerting rules', () => rules.groups.flatMap((g) => g.rules.map((r) => r.expr))],
  ])('every expression of %s returns data, or is empty for a reason', async (what, exprs) => {
    const lines: string[] = [];
    for (const expr of exprs()) lines.push(await explain(expr.trim()));
    console.log(`${what}, in a real Prometheus:\n${lines.join('\n')}`);
    expect(lines.length).toBe(exprs().length);
    expect(exprs().length).toBe(what === 'the dashboard' ? dashboardExprs().length : alertExprs().length);
  });

  it('every panel of the dashboard shows a number, not NaN, after traffic', async () => {
    const blank: string[] = [];
    for (const expr of dashboardExprs().map(fromGrafana)) {
      if (FLOW_SERIES.test(expr) && (await flowControlOff())) continue;
      if (!(await query(expr)).some((s) => !Number.isNaN(Number(s.value[1])))) blank.push(expr);
    }
    expect(blank).toEqual([]);
  });

  it('fires KnockerNoWorker once the workers stop, and not before', async () => {
    const alerts = async () => (await request(`${promUrl}/api/v1/alerts`)).json<{ data: { alerts: Array<{ labels: { alertname: string }; state: string }> } }>().data.alerts;
    const state = async (name: string) => (await alerts()).find((a) => a.labels.alertname === name)?.state;
    // Long enough for a rule with for: 2s to fire if it were going to.
    await new Promise((r) => setTimeout(r, 4_000));
    expect(await state('KnockerNoWorker')).toBeUndefined();
    expect(await state('KnockerApiDown')).toBeUndefined();
    const stoppedAt = Date.now();
    await stopAll(workers);
    await waitFor(async () => (await state('KnockerNoWorker')) === 'firing', { timeoutMs: 60_000, intervalMs: 250, what: 'KnockerNoWorker firing' });
    const firing = (await alerts()).filter((a) => a.state === 'firing').map((a) => a.labels.alertname).sort();
    console.log(`KnockerNoWorker firing ${Date.now() - stoppedAt} ms after the workers stopped; firing then: ${firing.join(', ')}`);
    expect(firing).toContain('KnockerNoWorker');
    expect(firing).not.toContain('KnockerApiDown');
  }, 90_000);
});
