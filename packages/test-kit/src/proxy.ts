import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A loopback HTTP proxy in front of a real server that can lose answers. */
export interface LossyProxy {
  url: string;
  /** Requests passed on to the server so far. */
  forwarded: number;
  /** The next `n` requests reach the server, but their answers are dropped: the client sees a reset connection. */
  loseAnswers(n: number): void;
  close(): Promise<void>;
}

/** The lost-answer case a client must survive: the server did the work, the client never heard. */
export async function startLossyProxy(upstream: string): Promise<LossyProxy> {
  const to = new URL(upstream);
  let lose = 0;
  const server = http.createServer((req, res) => {
    const drop = lose > 0;
    if (drop) lose--;
    proxy.forwarded++;
    const out = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      if (drop) {
        answer.resume();
        answer.once('end', () => req.socket.destroy());
        return;
      }
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.on('error', () => req.socket.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const proxy: LossyProxy = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    forwarded: 0,
    loseAnswers: (n) => void (lose = n),
    close: () => new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
  return proxy;
}
