import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeTraceRequest, type DecodedSpan } from './otlp-protobuf.js';
import { waitFor } from './wait.js';

export type ReceivedSpan = DecodedSpan & {
  /** The resource's `service.name`. */
  service: string;
  /** Which encoding it came in. */
  protocol: 'http/protobuf' | 'http/json';
};

/** A stand-in for an OpenTelemetry collector: takes OTLP/HTTP trace exports, in protobuf or JSON. */
export interface OtlpReceiver {
  /** For OTEL_EXPORTER_OTLP_ENDPOINT: traces arrive at `<url>/v1/traces`. */
  url: string;
  spans: ReceivedSpan[];
  /** Every POST seen, whatever its path: a test of "nothing is sent" reads this. */
  posts: { path: string; contentType: string }[];
  /** Resolves with the spans once `match` holds for them. */
  waitForSpans(match: (spans: ReceivedSpan[]) => boolean, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

type JsonValue = { stringValue?: string; boolValue?: boolean; intValue?: string | number; doubleValue?: number };
type JsonKeyValue = { key: string; value: JsonValue };
type JsonSpan = {
  traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; startTimeUnixNano: string | number; endTimeUnixNano: string | number;
  attributes?: JsonKeyValue[]; status?: { code?: number; message?: string }; links?: { traceId: string; spanId: string }[];
};
type JsonRequest = { resourceSpans?: { resource?: { attributes?: JsonKeyValue[] }; scopeSpans?: { spans?: JsonSpan[] }[] }[] };

const jsonValue = (v: JsonValue): unknown => v.stringValue ?? v.boolValue ?? (v.intValue !== undefined ? Number(v.intValue) : v.doubleValue);
const attributesOf = (list: JsonKeyValue[] = []) => Object.fromEntries(list.map((a) => [a.key, jsonValue(a.value)]));

function decodeJson(body: Buffer): DecodedSpan[] {
  const request = JSON.parse(body.toString('utf8')) as JsonRequest;
  return (request.resourceSpans ?? []).flatMap((rs) => {
    const resource = attributesOf(rs.resource?.attributes);
    return (rs.scopeSpans ?? []).flatMap((ss) => (ss.spans ?? []).map((s): DecodedSpan => ({
      traceId: s.traceId, spanId: s.spanId, parentSpanId: s.parentSpanId ?? '', name: s.name, kind: s.kind,
      startNs: BigInt(s.startTimeUnixNano), endNs: BigInt(s.endTimeUnixNano), attributes: attributesOf(s.attributes),
      status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' }, links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })), resource,
    })));
  });
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const posts: OtlpReceiver['posts'] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const contentType = req.headers['content-type'] ?? '';
      posts.push({ path: req.url ?? '', contentType });
      try {
        let body = Buffer.concat(chunks);
        if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
        const json = contentType.startsWith('application/json');
        const decoded = json ? decodeJson(body) : decodeTraceRequest(body);
        for (const s of decoded) spans.push({ ...s, service: String(s.resource['service.name'] ?? ''), protocol: json ? 'http/json' : 'http/protobuf' });
        // An empty ExportTraceServiceResponse: full success in either encoding.
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' }).end(json ? '{}' : '');
      } catch (err) {
        res.writeHead(400).end(String(err));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    posts,
    async waitForSpans(match, timeoutMs = 15_000) {
      await waitFor(() => match(spans), { timeoutMs, what: 'spans at the OTLP receiver' });
      return spans;
    },
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}
