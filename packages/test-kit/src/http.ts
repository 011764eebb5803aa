import http from 'node:http';

export interface RequestOptions {
  method?: string;
  /** Pairs are sent in order and may repeat a name; a record cannot. */
  headers?: Array<[string, string]> | Record<string, string>;
  body?: string | Buffer;
  /** Whole-exchange limit; default 10000. */
  timeoutMs?: number;
  /** Default: a shared agent without keep-alive, so every request opens its own connection. */
  agent?: http.Agent;
}

export interface HttpReply {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  text: string;
  json<T = any>(): T;
  /** Milliseconds from sending to the end of the response body. */
  ms: number;
}

const defaultAgent = new http.Agent({ keepAlive: false });

function has(pairs: ReadonlyArray<readonly [string, string]>, name: string): boolean {
  return pairs.some(([k]) => k.toLowerCase() === name);
}

/**
 * An HTTP client that can send repeated header lines, which fetch cannot.
 * Headers go to Node as a flat raw array, and in that form Node adds neither
 * Host nor Content-Length, so they are filled in here unless the caller set them.
 */
export function request(url: string, opts: RequestOptions = {}): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    if (target.protocol !== 'http:') {
      reject(new Error(`request() only speaks plain http, got ${url}`));
      return;
    }
    const timeoutMs = opts.timeoutMs ?? 10_000;
    const pairs: Array<[string, string]> = Array.isArray(opts.headers)
      ? [...opts.headers]
      : Object.entries(opts.headers ?? {});
    if (!has(pairs, 'host')) pairs.unshift(['Host', target.host]);
    if (opts.body !== undefined && !has(pairs, 'content-length') && !has(pairs, 'transfer-encoding')) {
      pairs.push(['Content-Length', String(Buffer.byteLength(opts.body))]);
    }

    const started = performance.now();
    const req = http.request({
      host: target.hostname,
      port: target.port || 80,
      path: `${target.pathname}${target.search}`,
      method: opts.method ?? 'GET',
      headers: pairs.flat(),
      agent: opts.agent ?? defaultAgent,
    });
    const timer = setTimeout(() => {
      req.destroy(new Error(`${opts.method ?? 'GET'} ${url} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      reject(err);
    };

    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', fail);
      res.on('end', () => {
        clearTimeout(timer);
        const body = Buffer.concat(chunks);
        const text = body.toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          rawHeaders: res.rawHeaders,
          body,
          text,
          json: () => JSON.parse(text),
          ms: performance.now() - started,
        });
      });
    });
    req.end(opts.body);
  });
}
