import net from 'node:net';

/**
 * Asks the kernel for an unused loopback port. Another process can grab it
 * between close and reuse, so callers that bind it themselves should be ready
 * to retry.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close(() => reject(new Error('Could not read the port of a loopback listener')));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * The first of `count` consecutive free loopback ports, none of them in `avoid`. For
 * `pnpm start`, whose workers serve their metrics on METRICS_PORT, METRICS_PORT + 1, …: a
 * single free port says nothing of the ones after it, and a busy one keeps its worker
 * crash-looping.
 */
export async function freePortRun(count: number, avoid: readonly number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const first = await freePort();
    const run = Array.from({ length: count }, (_, i) => first + i);
    if (run.at(-1)! > 65535 || run.some((p) => avoid.includes(p))) continue;
    const free = await Promise.all(run.slice(1).map(canListen));
    if (free.every(Boolean)) return first;
  }
  throw new Error(`No run of ${count} free loopback ports found in 100 tries`);
}
