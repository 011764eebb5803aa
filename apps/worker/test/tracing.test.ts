import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, sleep, startApi, startOtlpReceiver, startWorker, targetPool, uniquePrefix,
  type ApiProcess, type ChildHandle, type OtlpReceiver, type ReceivedSpan,
} from '@knocker/test-kit';

// OpenTelemetry end to end: a real api and worker export to a receiver that decodes the
// protobuf the exporter sends; the same pair without OTEL_* must send and load nothing.
const CALLER_TRACE = '0af7651916cd43dd8448eb211c80319c';
const CALLER_SPAN = 'b7ad6b7169203331';
const CALLER = `00-${CALLER_TRACE}-${CALLER_SPAN}-01`;
const ADMIN_KEY = 'admin-key-for-tests-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'knocker-tracing-'));
const targets = targetPool();
const children: ChildHandle[] = [];
let receiver: OtlpReceiver;
let api: ApiProcess;
let worker: ChildHandle;

async function startPair(name: string, env: Record<string, string>): Promise<[ApiProcess, ChildHandle]> {
  const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix(`tracing-${name}`) };
  const modules = { KT_MODULE_LOG: join(dir, `${name}-modules`) };
  const pair = await Promise.all([
    startApi({ ...opts, env: { ...env, ...modules, LOG_FORMAT: 'json', LOG_LEVEL: 'debug' } }),
    startWorker({ ...opts, env: { ...env, ...modules, LOG_FORMAT: 'json' } }),
  ]);
  children.push(...pair);
  return pair;
}

async function knock(path: string, headers: Array<[string, string]>): Promise<string> {
  const res = await request(`${api.url}${path}`, { method: 'POST', headers: [['Knocker-Backoff-Factor', '0'], ...headers], body: 'hello' });
  expect(res.status).toBe(200);
  return res.json<{ config: { id: string } }>().config.id;
}

const byId = (id: string) => (spans: ReceivedSpan[]) => spans.filter((s) => s.attributes['knocker.id'] === id);
const named = (spans: ReceivedSpan[], name: string) => spans.filter((s) => s.name === name);
/** Api and worker export on their own schedules: wait until each name has its count. */
const counted = (id: string, want: Record<string, number>) => (all: ReceivedSpan[]) => Object.entries(want).every(([n, c]) => named(byId(id)(all), n).length === c);
/** JSON log lines of a process that carry a given span. */
const linesOf = (child: ChildHandle, spanId: string) => child.output().split('\n').filter((l) => l.startsWith('{') && l.includes(`"span_id":"${spanId}"`));

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  [api, worker] = await startPair('on', { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100', ADMIN_API_KEY: ADMIN_KEY });
}, 60_000);

afterAll(async () => {
  await Promise.all([...children.map((c) => c.kill()), targets.closeAll(), receiver?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

describe('tracing on (OTEL_EXPORTER_OTLP_ENDPOINT)', () => {
  it("puts the api's and the worker's spans in the caller's trace, and the target continues it", async () => {
    const target = await targets.start();
    const callback = await targets.start();
    const id = await knock('/orders?secret=1', [
      ['traceparent', CALLER], ['Knocker-Host', target.host], ['Knocker-Success-Callback', `${callback.url}/done?token=2`], ['Knocker-Id', `traced-${Date.now()}`],
    ]);
    const spans = byId(id)(await receiver.waitForSpans(counted(id, { accept: 1, queued: 1, deliver: 1, callback: 1 })));
    const [accept, queued, deliver, cb] = ['accept', 'queued', 'deliver', 'callback'].map((n) => named(spans, n)[0]!);
    for (const s of [accept, queued, deliver, cb]) expect(s?.traceId).toBe(CALLER_TRACE);
    expect(accept).toMatchObject({ service: 'knocker-api', kind: 2, parentSpanId: CALLER_SPAN, attributes: { 'http.response.status_code': 200, 'url.path': '/orders' } });
    expect(queued).toMatchObject({ service: 'knocker-worker', parentSpanId: accept!.spanId });
    expect(deliver).toMatchObject({
      service: 'knocker-worker', kind: 3, parentSpanId: accept!.spanId,
      attributes: { 'http.request.method': 'POST', 'url.full': `${target.url}/orders`, 'http.response.status_code': 200, 'knocker.attempt': 1, 'knocker.id': id },
    });
    // The wait ends where the attempt begins (the same clock: both are the worker's).
    expect(queued!.endNs).toBeLessThanOrEqual(deliver!.startNs + 1_000_000n);
    expect(queued!.startNs).toBeLessThan(queued!.endNs);
    expect(cb).toMatchObject({ parentSpanId: deliver!.spanId, attributes: { 'url.full': `${callback.url}/done`, 'knocker.callback': 'success' } });
    // Each receiver got the traceparent of the span that called it, in place of the caller's.
    expect(target.requests[0]?.headers['traceparent']).toBe(`00-${CALLER_TRACE}-${deliver!.spanId}-01`);
    expect(callback.requests[0]?.headers['traceparent']).toBe(`00-${CALLER_TRACE}-${cb!.spanId}-01`);
    // Logs and traces join: the lines of this work carry its ids.
    expect(linesOf(api, accept!.spanId).join()).toContain(`"trace_id":"${CALLER_TRACE}"`);
    expect(linesOf(worker, deliver!.spanId).join()).toContain(`Request #${id} (1/`);
    expect(linesOf(worker, cb!.spanId).join()).toContain(`Success callback for request #${id}`);
  });

  it('shows every attempt of a retried request, each after its wait in the queue', async () => {
    const target = await targets.start((r) => (r.n < 3 ? { status: 503 } : { status: 200 }));
    const id = await knock('/flaky', [['Knocker-Host', target.host], ['Knocker-Retries', '2']]);
    const spans = byId(id)(await receiver.waitForSpans(counted(id, { accept: 1, queued: 3, deliver: 3 })));
    const accept = named(spans, 'accept')[0]!;
    expect(accept.parentSpanId).toBe('');
    const attempts = named(spans, 'deliver').sort((a, b) => Number(a.attributes['knocker.attempt']) - Number(b.attributes['knocker.attempt']));
    expect(attempts.map((s) => [s.attributes['knocker.attempt'], s.attributes['http.response.status_code'], s.status.code])).toEqual([[1, 503, 2], [2, 503, 2], [3, 200, 0]]);
    for (const s of [...attempts, ...named(spans, 'queued')]) expect([s.traceId, s.parentSpanId]).toEqual([accept.traceId, accept.spanId]);
    expect(named(spans, 'queued')).toHaveLength(3);
    expect(target.requests.map((r) => r.headers['traceparent'])).toEqual(attempts.map((s) => `00-${s.traceId}-${s.spanId}-01`));
  });

  it('starts a trace at each tick of a schedule, its attempt inside', async () => {
    const target = await targets.start();
    const id = `traced-cron-${Date.now()}`;
    const res = await request(`${api.url}/cron/hook`, { method: 'PUT', headers: [['Knocker-Host', target.host], ['Knocker-Cron', '*/2 * * * * *'], ['Knocker-Id', id], ['traceparent', CALLER]] });
    expect(res.status).toBe(200);
    try {
      const spans = await receiver.waitForSpans((all) => all.filter((s) => s.name === 'deliver' && s.attributes['knocker.schedule'] === id).length >= 2, 20_000);
      const ticks = named(spans, 'tick').filter((s) => s.attributes['knocker.schedule'] === id);
      const delivers = named(spans, 'deliver').filter((s) => s.attributes['knocker.schedule'] === id).slice(0, 2);
      for (const d of delivers) {
        const tick = ticks.find((t) => t.spanId === d.parentSpanId);
        // A tick is nobody's child, not even of the request that made the schedule.
        expect(tick).toMatchObject({ parentSpanId: '', traceId: d.traceId, attributes: { 'knocker.id': d.attributes['knocker.id'] } });
        expect(d.traceId).not.toBe(CALLER_TRACE);
      }
      expect(new Set(delivers.map((d) => d.traceId)).size).toBe(2);
    } finally {
      await request(`${api.url}/knocker/schedules/${id}`, { method: 'DELETE', headers: { 'Knocker-Admin-Key': ADMIN_KEY } });
    }
  });

  it('loads OpenTelemetry (so the watch that proves the opposite below can see it)', () => {
    expect(readFileSync(join(dir, 'on-modules'), 'utf8')).toMatch(/@opentelemetry\/api/);
  });
});

describe('tracing on in the workers only', () => {
  it("hangs the attempts under the caller's traceparent, which the api stored as a header", async () => {
    const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('tracing-workers') };
    const [plainApi, tracedWorker] = await Promise.all([
      startApi(opts), startWorker({ ...opts, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' } }),
    ]);
    children.push(plainApi, tracedWorker);
    const target = await targets.start();
    const res = await request(`${plainApi.url}/mixed`, { method: 'POST', headers: [['traceparent', CALLER], ['Knocker-Host', target.host]], body: 'x' });
    const { id } = res.json<{ config: { id: string } }>().config;
    const spans = byId(id)(await receiver.waitForSpans(counted(id, { queued: 1, deliver: 1 })));
    expect(named(spans, 'accept')).toEqual([]);
    for (const s of spans) expect([s.traceId, s.parentSpanId]).toEqual([CALLER_TRACE, CALLER_SPAN]);
    expect(target.requests[0]?.headers['traceparent']).toBe(`00-${CALLER_TRACE}-${named(spans, 'deliver')[0]!.spanId}-01`);
  });
});

describe('tracing off (no OTEL_* endpoint)', () => {
  it('sends nothing, adds no header and loads no OpenTelemetry module of its own', async () => {
    const quiet = await startOtlpReceiver();
    try {
      // Every other OTEL_* variable set: only an endpoint turns tracing on.
      [api, worker] = await startPair('off', { OTEL_SERVICE_NAME: 'relay', OTEL_TRACES_SAMPLER: 'always_on', OTEL_BSP_SCHEDULE_DELAY: '100' });
      const target = await targets.start();
      const id = await knock('/quiet', [['traceparent', CALLER], ['Knocker-Host', target.host]]);
      const [seen] = await target.waitForRequests(1, 15_000);
      // The caller's own header passes through untouched, as it always did.
      expect(seen?.headers['traceparent']).toBe(CALLER);
      await sleep(500);
      await Promise.all([api.kill(), worker.kill()]);
      expect(quiet.posts).toEqual([]);
      expect(receiver.spans.filter((s) => s.attributes['knocker.id'] === id)).toEqual([]);
      expect(worker.output()).not.toContain('trace_id');
      // prom-client requires the API package (a no-op facade, for its exemplars) in every
      // process, as it did before tracing existed; Knocker itself loads nothing.
      const modules = join(dir, 'off-modules');
      const loaded = (existsSync(modules) ? readFileSync(modules, 'utf8') : '').split('\n').filter((l) => l !== '');
      expect(loaded.filter((l) => !l.startsWith('require @opentelemetry/api from prom-client/'))).toEqual([]);
    } finally {
      await quiet.close();
    }
  });
});
