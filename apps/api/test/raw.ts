import net from 'node:net';

export interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
  ms: number;
}

/**
 * Sends exact bytes and reads the answer until the server closes. Node's http client refuses
 * CR, LF and other bytes in header values, which is what these tests need to send.
 */
export function rawRequest(port: number, bytes: Buffer, timeoutMs = 5000): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`no complete answer within ${timeoutMs} ms`)), timeoutMs);
    // Written, not ended: a half-close makes Node's server drop the request it is still answering.
    // `Connection: close` has the server close once it has answered.
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (c: Buffer) => chunks.push(c));
    // The server may close while we still write a body it has refused; its answer is what counts.
    socket.on('error', (err: NodeJS.ErrnoException) => (err.code === 'EPIPE' || err.code === 'ECONNRESET' ? undefined : (clearTimeout(timer), reject(err))));
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      if (!m || end < 0) return reject(new Error(`not an HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
      const headers: Record<string, string> = {};
      for (const line of text.slice(0, end).split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
      }
      let body = text.slice(end + 4);
      const length = headers['content-length'];
      if (length !== undefined) body = body.slice(0, Number(length));
      resolve({ status: Number(m[1]), headers, body: Buffer.from(body, 'latin1').toString('utf8'), ms: performance.now() - started });
    });
  });
}

/** A request as bytes: header values are written as UTF-8, exactly as given, CR and LF included. */
export function rawBytes(method: string, path: string, headers: ReadonlyArray<readonly [string, string]>, body: Buffer): Buffer {
  const head = [`${method} ${path} HTTP/1.1`, 'Host: knocker.test', ...headers.map(([n, v]) => `${n}: ${v}`), `Content-Length: ${body.length}`, 'Connection: close'];
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'utf8'), body]);
}
