// Callers that send a traceparent Knocker must not trust: malformed, invalid by the W3C rules,
// oversized or repeated. With tracing on, each request is accepted, starts a trace of its own,
// and its target receives one well-formed traceparent, Knocker's, never the caller's.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  request, sharedRedisUrl, startApi, startOtlpReceiver, startTarget, startWorker, stopAll, uniquePrefix, type ChildHandle, type OtlpReceiver, type Target,
} from '@knocker/test-kit';

const SPAN = 'b7ad6b7169203331';
const HOSTILE: Array<[string, Array<[string, string]>]> = [
  ['garbage', [['traceparent', 'not a traceparent']]],
  ['an all-zero trace id', [['traceparent', `00-${'0'.repeat(32)}-${SPAN}-01`]]],
  ['an all-zero span id', [['traceparent', `00-0af7651916cd43dd8448eb211c80319c-${'0'.repeat(16)}-01`]]],
  ['version ff', [['traceparent', `ff-0af7651916cd43dd8448eb211c80319c-${SPAN}-01`]]],
  ['version 00 with a trailing field', [['traceparent', `00-0af7651916cd43dd8448eb211c80319c-${SPAN}-01-extra`]]],
  ['8 KB of it', [['traceparent', `00-${'a'.repeat(8000)}-${SPAN}-01`], ['tracestate', `k=${'v'.repeat(4000)}`]]],
  ['two of them', [['traceparent', `00-0af7651916cd43dd8448eb211c80319c-${SPAN}-01`], ['traceparent', `00-1af7651916cd43dd8448eb211c80319c-${SPAN}-01`]]],
];

let receiver: OtlpReceiver;
let target: Target;
let api: ChildHandle & { url: string };
const children: ChildHandle[] = [];

beforeAll(async () => {
  [receiver, target] = await Promise.all([startOtlpReceiver(), startTarget()]);
  const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('adv-traceparent'), env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' } };
  const [a, w] = await Promise.all([startApi(opts), startWorker(opts)]);
  api = a;
  children.push(a, w);
}, 60_000);

afterAll(async () => {
  await stopAll(children, 'SIGKILL');
  await Promise.all([target?.close(), receiver?.close()]);
});

describe('a hostile traceparent', () => {
  it.each(HOSTILE)('(%s) is ignored: a trace of its own, and the target gets Knocker\'s traceparent only', async (name, headers) => {
    const id = `adv-tp-${name.replace(/\W+/g, '-')}-${Date.now()}`;
    const res = await request(`${api.url}/hook`, { method: 'POST', body: '{}', headers: [['Knocker-Host', target.host], ['Knocker-Id', id], ...headers] });
    expect(res.status).toBe(200);
    // Api and worker export on their own schedules: wait for both.
    const spans = await receiver.waitForSpans((all) => ['accept', 'deliver'].every((n) => all.some((s) => s.name === n && s.attributes['knocker.id'] === id)));
    const accept = spans.find((s) => s.name === 'accept' && s.attributes['knocker.id'] === id)!;
    const deliver = spans.find((s) => s.name === 'deliver' && s.attributes['knocker.id'] === id)!;
    // "two of them" arrive joined by a comma, which no traceparent may contain: refused too.
    expect(accept.parentSpanId).toBe('');
    expect(accept.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    expect(deliver.traceId).toBe(accept.traceId);
    const seen = target.requests.find((r) => r.headers['x-knocker-id'] === id)!;
    const sent = seen.rawHeaders.filter((_, i) => i % 2 === 0 && seen.rawHeaders[i]!.toLowerCase() === 'traceparent');
    expect(sent).toHaveLength(1);
    expect(seen.headers['traceparent']).toBe(`00-${deliver.traceId}-${deliver.spanId}-01`);
  });
});
