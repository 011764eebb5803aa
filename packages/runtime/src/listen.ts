import type { Server } from 'node:http';
import type { Logger } from '@knocker/telemetry';

/**
 * Listens, then says so; a port it cannot take ends the process with 1 (and `failure`'s
 * line): a process that does not serve must not look started.
 */
export function listen(server: Server, where: { port: number; host: string }, logger: Logger, lines: { ready: () => string; failure: (err: Error) => string }): void {
  server.on('error', (err) => {
    logger.critical(lines.failure(err));
    process.exit(1);
  });
  server.listen(where.port, where.host, () => logger.info(lines.ready()));
}
