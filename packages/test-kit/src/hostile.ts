import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { loopbackTls } from './tls.js';

/**
 * How a hostile target answers. Plain data, so the same behaviour can run in this process or
 * in a child of its own (spawnHostile), where its CPU cannot skew what the test measures.
 */
export type Behaviour =
  /** `status` with `Knocker-Error-Code: code`: a failure the target reports, whatever the status. */
  | { kind: 'error-code'; code: string; status?: number }
  /** `status` and a body of `bytes` bytes, written as fast as the client reads. */
  | { kind: 'huge'; status: number; bytes: number }
  /** `status` and a body that never ends, written as fast as the client reads. */
  | { kind: 'endless'; status: number }
  /** A 200 whose head (`part: 'head'`) or body dribbles out a byte every `everyMs`, for minutes. */
  | { kind: 'drip'; part: 'head' | 'body'; everyMs: number }
  /** A 200 with `count` headers; `name` repeats one header name instead of numbering them. */
  | { kind: 'headers'; count: number; name?: string }
  /** `status` (302) to `location`, after `delayMs`. */
  | { kind: 'redirect'; location: string; status?: number; delayMs?: number }
  /** `/hop/<n>` redirects to `/hop/<n+1>` after `delayMs`, up to `hops`; then a 200. */
  | { kind: 'redirect-chain'; hops: number; delayMs: number };

/** One request as a hostile target saw it (its body is not kept). */
export interface Hit {
  n: number;
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  at: number;
}

export interface Hostile {
  port: number;
  /** `http://127.0.0.1:<port>`, or https with `tls`. */
  url: string;
  /** `127.0.0.1:<port>`. */
  host: string;
  /** The requests seen so far, oldest first (at most HITS_KEPT). */
  hits(): Hit[];
  close(): Promise<void>;
}

const HITS_KEPT = 10_000;
const CHUNK = Buffer.alloc(64 * 1024, 'k');
/** A drip that outlasts any timeout a test sets: 10 minutes at one byte per 300 ms. */
const DRIP_BYTES = 2000;

/** Starts a hostile target in this process, on 127.0.0.1; with `tls`, it speaks https with the kit's loopback certificate. */
export async function startHostile(behaviour: Behaviour, opts: { tls?: boolean; onHit?: (hit: Hit) => void } = {}): Promise<Hostile> {
  const hits: Hit[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let seen = 0;
  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const hit: Hit = { n: ++seen, method: req.method ?? '', url: req.url ?? '', headers: req.headers, at: Date.now() };
    if (hits.length < HITS_KEPT) hits.push(hit);
    opts.onHit?.(hit);
    req.on('error', () => undefined);
    req.resume();
    answer(behaviour, req, res, later);
  };
  const server = opts.tls ? https.createServer({ key: loopbackTls.key, cert: loopbackTls.cert }, handler) : http.createServer(handler);
  server.on(opts.tls ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  // A hostile answer may never end; the server must not wait for it to close.
  server.headersTimeout = 0;
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    port,
    url: `${opts.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    hits: () => hits.slice(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}

type Later = (ms: number, fn: () => void) => void;

function answer(b: Behaviour, req: http.IncomingMessage, res: http.ServerResponse, later: Later): void {
  switch (b.kind) {
    case 'error-code':
      res.writeHead(b.status ?? 200, { 'knocker-error-code': b.code, 'content-length': '0' }).end();
      return;
    case 'huge':
      res.writeHead(b.status, { 'content-type': 'application/octet-stream', 'content-length': String(b.bytes) });
      pour(res, b.bytes);
      return;
    case 'endless':
      res.writeHead(b.status, { 'content-type': 'application/octet-stream' });
      pour(res, Infinity);
      return;
    case 'drip':
      drip(req.socket, dripBytes(b.part), b.everyMs, later);
      return;
    case 'headers':
      // Written by hand: a head of this size is the point, not something to validate.
      req.socket.end(manyHeadersHead(b.count, b.name));
      return;
    case 'redirect':
      later(b.delayMs ?? 0, () => res.writeHead(b.status ?? 302, { location: b.location, 'content-length': '0' }).end());
      return;
    case 'redirect-chain': {
      const n = Number(/^\/hop\/(\d+)/.exec(req.url ?? '')?.[1] ?? 0);
      later(b.delayMs, () => {
        if (n >= b.hops) res.writeHead(200, { 'content-length': '2' }).end('ok');
        else res.writeHead(302, { location: `/hop/${n + 1}`, 'content-length': '0' }).end();
      });
    }
  }
}

/** Writes `bytes` bytes (Infinity: until the client goes), only as fast as the client reads. */
function pour(res: http.ServerResponse, bytes: number): void {
  let left = bytes;
  const more = (): void => {
    while (left > 0 && !res.destroyed) {
      const chunk = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
      left -= chunk.length;
      if (!res.write(chunk)) return void res.once('drain', more);
    }
    if (!res.destroyed) res.end();
  };
  res.on('error', () => undefined);
  more();
}

/** The raw bytes of a drip answer: a head that takes its time, or a head at once and a body that does. */
export function dripBytes(part: 'head' | 'body'): { now: string; slow: string } {
  const body = 'd'.repeat(DRIP_BYTES);
  if (part === 'head') return { now: '', slow: `HTTP/1.1 200 OK\r\nx-drip: ${body}\r\ncontent-length: 2\r\n\r\nok` };
  return { now: `HTTP/1.1 200 OK\r\ncontent-length: ${DRIP_BYTES}\r\n\r\n`, slow: body };
}

function drip(socket: Socket, bytes: { now: string; slow: string }, everyMs: number, later: Later): void {
  if (bytes.now !== '') socket.write(bytes.now);
  let i = 0;
  const next = (): void => {
    if (socket.destroyed) return;
    if (i >= bytes.slow.length) return void socket.end();
    socket.write(bytes.slow[i++] as string);
    later(everyMs, next);
  };
  next();
}

/** A 200 head with `count` headers (numbered, or all called `name`), and an empty body. */
export function manyHeadersHead(count: number, name?: string): string {
  const lines: string[] = ['HTTP/1.1 200 OK', 'content-length: 0', 'connection: close'];
  for (let i = 0; i < count; i++) lines.push(`${name ?? `x-h${i}`}: ${i}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}
