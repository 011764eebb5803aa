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
