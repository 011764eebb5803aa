import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';

/** One request as the target saw it. */
export interface Recorded {
  method: string;
  url: string;
  /** Header lines exactly as sent, repeats included. */
  rawHeaders: string[];
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Date.now() when the request head arrived. */
  at: number;
  /** 1-based position of this request at this target. */
  n: number;
  /** Over TLS, the subject CN of the client certificate the request came with. */
  clientCert?: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Wait this long before answering (or destroying). */
  delayMs?: number;
  /** Reset the connection instead of answering. */
  destroy?: boolean;
}

export type Responder = (req: Recorded) => Reply | Promise<Reply>;

/** A stand-in for the service Knocker delivers to. */
export interface Target {
  port: number;
  url: string;
  /** "127.0.0.1:<port>", as it appears in a Host header. */
  host: string;
  requests: Recorded[];
  /** Read per request, so a test can change behaviour mid-test. */
  respond: Responder;
  waitForRequests(n: number, timeoutMs?: number): Promise<Recorded[]>;
  close(): Promise<void>;
}

const defaultResponder: Responder = () => ({ status: 200, body: 'ok' });

export interface TargetOptions {
  /** Loopback address to listen on: 127.0.0.1 by default; 127.0.0.2 stands for another host. */
  host?: string;
  /** Serve https with these options (key, cert, and for mutual TLS ca, requestCert, rejectUnauthorized). */
  tls?: https.ServerOptions;
}

export async function startTarget(respond: Responder = defaultResponder, opts: TargetOptions = {}): Promise<Target> {
  const server = opts.tls === undefined ? http.createServer() : https.createServer(opts.tls);
  const host = opts.host ?? '127.0.0.1';
  // Delayed replies are tracked so close() can drop them instead of letting
  // them keep the process alive.
  const timers = new Set<NodeJS.Timeout>();
  const waiters = new Set<() => void>();
  let closing: Promise<void> | undefined;

  const delay = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });

  const answer = async (rec: Recorded, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    let reply: Reply;
    try {
      reply = await target.respond(rec);
    } catch (err) {
      reply = { status: 500, body: `responder threw: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (reply.delayMs !== undefined && reply.delayMs > 0) await delay(reply.delayMs);
    if (closing || res.destroyed || res.writableEnded) return;
    if (reply.destroy) {
      req.socket.destroy();
      return;
    }
    res.writeHead(reply.status ?? 200, reply.headers);
    res.end(reply.body ?? '');
  };

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A client that aborts mid-body has not delivered a request; nothing to record.
    req.on('error', () => undefined);
    req.on('end', () => {
      const rec: Recorded = {
        method: req.method ?? '',
        url: req.url ?? '',
        rawHeaders: req.rawHeaders,
        headers: req.headers,
        body: Buffer.concat(chunks),
        at,
        n: target.requests.length + 1,
      };
      const peer = opts.tls === undefined ? undefined : (req.socket as TLSSocket).getPeerCertificate();
      if (peer?.subject?.CN !== undefined) rec.clientCert = String(peer.subject.CN);
      target.requests.push(rec);
      for (const wake of waiters) wake();
      void answer(rec, req, res);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const target: Target = {
    port,
    url: `${opts.tls === undefined ? 'http' : 'https'}://${host}:${port}`,
    host: `${host}:${port}`,
    requests: [],
    respond,
    waitForRequests(n: number, timeoutMs = 10_000): Promise<Recorded[]> {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          if (target.requests.length < n) return;
          done();
          resolve(target.requests.slice());
        };
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(`Timed out after ${timeoutMs}ms waiting for ${n} request(s) at ${target.url}; ${target.requests.length} arrived`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close(): Promise<void> {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        // Resolves even if the server was already closed: close() is cleanup.
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
  return target;
}

/** Targets started for one test file, closed together in afterAll. */
export interface TargetPool {
  start(respond?: Responder, opts?: TargetOptions): Promise<Target>;
  closeAll(): Promise<void>;
}

export function targetPool(): TargetPool {
  const started: Target[] = [];
  return {
    async start(respond, opts) {
      const t = await startTarget(respond, opts);
      started.push(t);
      return t;
    },
    async closeAll() {
      await Promise.all(started.map((t) => t.close()));
    },
  };
}
