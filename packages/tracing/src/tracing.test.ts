import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { loadConfig } from '@knocker/config';
import { freePort, sleep, startOtlpReceiver, type OtlpReceiver } from '@knocker/test-kit';
import { noTracing, startTracing, urlWithoutSecrets } from './index.js';

const CALLER_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER = `00-${CALLER_TRACE}-00f067aa0ba902b7-01`;
const warn = (m: string) => { throw new Error(m); };

describe('startTracing', () => {
  let receiver: OtlpReceiver;
  beforeAll(async () => { receiver = await startOtlpReceiver(); });
  afterAll(() => receiver.close());

  it('is the empty facade without an endpoint', async () => {
    const tracing = await startTracing(loadConfig({}).telemetry.tracing, { role: 'api', version: '1', warn });
    expect(tracing).toBe(noTracing);
    const span = tracing.startSpan('accept', { parent: CALLER });
    expect(span.traceparent).toBeUndefined();
    expect(span.logIds).toBeUndefined();
  });

  it.each(['http/protobuf', 'http/json'])('exports over %s, children under the traceparent they were given', async (protocol) => {
    const settings = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, OTEL_BSP_SCHEDULE_DELAY: '50' }).telemetry.tracing;
    const tracing = await startTracing(settings, { role: 'worker', version: '9.9.9', warn });
    const parent = tracing.startSpan('accept', { kind: 'server', parent: CALLER, attributes: { 'knocker.id': protocol, skipped: undefined } });
    expect(parent.traceparent).toMatch(new RegExp(`^00-${CALLER_TRACE}-[0-9a-f]{16}-01$`));
    expect(parent.logIds?.trace_id).toBe(CALLER_TRACE);
    const child = tracing.startSpan('deliver', { kind: 'client', parent: parent.traceparent, startTime: Date.now() - 1000 });
    child.set({ 'http.response.status_code': 503 });
    child.fail('503');
    child.end();
    parent.end();
    // A malformed traceparent starts a trace of its own.
    const orphan = tracing.startSpan('tick', { parent: '00-zz-yy-01' });
    orphan.end();
    await tracing.shutdown();
    const spans = receiver.spans.filter((s) => s.protocol === protocol);
    expect(spans.map((s) => s.name).sort()).toEqual(['accept', 'deliver', 'tick']);
    const [accept, deliver, tick] = ['accept', 'deliver', 'tick'].map((n) => spans.find((s) => s.name === n)!);
    expect(accept).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: '00f067aa0ba902b7', kind: 2, service: 'knocker-worker', attributes: { 'knocker.id': protocol } });
    expect(accept!.attributes).not.toHaveProperty('skipped');
    expect(deliver).toMatchObject({ traceId: CALLER_TRACE, parentSpanId: accept!.spanId, kind: 3, status: { code: 2, message: '503' }, attributes: { 'http.response.status_code': 503 } });
    expect(Number(deliver!.endNs - deliver!.startNs) / 1e6).toBeGreaterThanOrEqual(900);
    expect(accept!.resource).toMatchObject({ 'service.version': '9.9.9', 'knocker.role': 'worker' });
    expect(tick!.traceId).not.toBe(CALLER_TRACE);
    expect(tick!.parentSpanId).toBe('');
  });

  it('honours the sampler: always_off records nothing but still propagates the context', async () => {
    const before = receiver.posts.length;
    const settings = loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_TRACES_SAMPLER: 'always_off', OTEL_BSP_SCHEDULE_DELAY: '50' }).telemetry.tracing;
    const tracing = await startTracing(settings, { role: 'api', version: '1', warn });
    const span = tracing.startSpan('accept', { parent: CALLER });
    expect(span.traceparent).toMatch(/-00$/);
    span.end();
    await tracing.shutdown();
    expect(receiver.posts.length).toBe(before);
  });
});

describe('a collector that cannot be reached', () => {
  it('costs the spans, one warning a minute and a short wait at shutdown', async () => {
    const closed = await freePort();
    const warnings: string[] = [];
    const settings = loadConfig({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://user:pw@127.0.0.1:${closed}/v1/traces?k=s`, OTEL_BSP_SCHEDULE_DELAY: '20' }).telemetry.tracing;
    const tracing = await startTracing(settings, { role: 'worker', version: '1', warn: (m) => warnings.push(m) });
    // The exporter retries for about 10 s before it gives a batch up; spans keep coming meanwhile.
    const until = Date.now() + 20_000;
    let firstAt = 0;
    while (Date.now() < until && (firstAt === 0 || Date.now() - firstAt < 3000)) {
      tracing.startSpan('deliver').end();
      await sleep(100);
      if (firstAt === 0 && warnings.length > 0) firstAt = Date.now();
    }
    const stopping = Date.now();
    await tracing.shutdown();
    expect(Date.now() - stopping).toBeLessThan(4000);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`spans not exported to http://***@127.0.0.1:${closed}/v1/traces?***`);
  }, 40_000);
});

describe('urlWithoutSecrets', () => {
  it('drops the user info, query and fragment', () => {
    expect(urlWithoutSecrets('https://user:pw@example.com:8443/hook/a?token=s3cret#x')).toBe('https://example.com:8443/hook/a');
    expect(urlWithoutSecrets('not a url')).toBe('(unreadable URL)');
  });
});
