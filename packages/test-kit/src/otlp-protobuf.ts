// Just enough of the protobuf wire format to read an OTLP ExportTraceServiceRequest
// (opentelemetry-proto's trace.proto), so a test decodes what the exporter really sent.

type Field = { no: number; wire: number; value: bigint | Buffer };

function* fields(buf: Buffer): Generator<Field> {
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const byte = buf[at++];
      if (byte === undefined) throw new Error('truncated protobuf');
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
    }
  };
  while (at < buf.length) {
    const key = Number(varint());
    const wire = key & 7;
    const no = key >>> 3;
    if (wire === 0) yield { no, wire, value: varint() };
    else if (wire === 1) { yield { no, wire, value: buf.subarray(at, at + 8) }; at += 8; }
    else if (wire === 5) { yield { no, wire, value: buf.subarray(at, at + 4) }; at += 4; }
    else if (wire === 2) { const n = Number(varint()); yield { no, wire, value: buf.subarray(at, at + n) }; at += n; }
    else throw new Error(`protobuf wire type ${wire} not read here`);
  }
}

const bytes = (f: Field) => f.value as Buffer;

function anyValue(buf: Buffer): unknown {
  for (const f of fields(buf)) {
    if (f.no === 1) return bytes(f).toString('utf8');
    if (f.no === 2) return f.value === 1n;
    if (f.no === 3) return Number(BigInt.asIntN(64, f.value as bigint));
    if (f.no === 4) return bytes(f).readDoubleLE(0);
  }
  return undefined;
}

function keyValue(buf: Buffer): [string, unknown] {
  let key = '';
  let value: unknown;
  for (const f of fields(buf)) {
    if (f.no === 1) key = bytes(f).toString('utf8');
    else if (f.no === 2) value = anyValue(bytes(f));
  }
  return [key, value];
}

/** What the protobuf and JSON decoders both give: one span, its resource's attributes beside it. */
export interface DecodedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, unknown>;
  status: { code: number; message: string };
  links: { traceId: string; spanId: string }[];
  resource: Record<string, unknown>;
}

function span(buf: Buffer, resource: Record<string, unknown>): DecodedSpan {
  const s: DecodedSpan = { traceId: '', spanId: '', parentSpanId: '', name: '', kind: 0, startNs: 0n, endNs: 0n, attributes: {}, status: { code: 0, message: '' }, links: [], resource };
  for (const f of fields(buf)) {
    if (f.no === 1) s.traceId = bytes(f).toString('hex');
    else if (f.no === 2) s.spanId = bytes(f).toString('hex');
    else if (f.no === 4) s.parentSpanId = bytes(f).toString('hex');
    else if (f.no === 5) s.name = bytes(f).toString('utf8');
    else if (f.no === 6) s.kind = Number(f.value);
    else if (f.no === 7) s.startNs = bytes(f).readBigUInt64LE(0);
    else if (f.no === 8) s.endNs = bytes(f).readBigUInt64LE(0);
    else if (f.no === 9) { const [k, v] = keyValue(bytes(f)); s.attributes[k] = v; }
    else if (f.no === 13) {
      const link = { traceId: '', spanId: '' };
      for (const l of fields(bytes(f))) {
        if (l.no === 1) link.traceId = bytes(l).toString('hex');
        else if (l.no === 2) link.spanId = bytes(l).toString('hex');
      }
      s.links.push(link);
    } else if (f.no === 15) {
      for (const st of fields(bytes(f))) {
        if (st.no === 2) s.status.message = bytes(st).toString('utf8');
        else if (st.no === 3) s.status.code = Number(st.value);
      }
    }
  }
  return s;
}

/** ExportTraceServiceRequest → its spans. */
export function decodeTraceRequest(buf: Buffer): DecodedSpan[] {
  const spans: DecodedSpan[] = [];
  for (const rs of fields(buf)) {
    if (rs.no !== 1) continue;
    const resource: Record<string, unknown> = {};
    const scopes: Buffer[] = [];
    for (const f of fields(bytes(rs))) {
      if (f.no === 1) for (const a of fields(bytes(f))) if (a.no === 1) { const [k, v] = keyValue(bytes(a)); resource[k] = v; }
      if (f.no === 2) scopes.push(bytes(f));
    }
    for (const scope of scopes) for (const f of fields(scope)) if (f.no === 2) spans.push(span(bytes(f), resource));
  }
  return spans;
}
