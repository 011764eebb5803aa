import { redactUrl, type Config, type RedisSettings } from '@knocker/config';
import type { Connection } from '@knocker/queue';
import type { Logger } from '@knocker/telemetry';

/**
 * Says once when Redis becomes unreachable and once when it is back, where the api answers
 * 503 meanwhile; a worker, which waits for Redis, notes each error for debugging only.
 */
export function watchRedis(connection: Connection, config: Config, logger: Logger, transitions: boolean): void {
  if (!transitions) {
    connection.on('error', (err) => logger.debug(`Redis: ${err.message}`));
    return;
  }
  const where = describeRedis(config.redis);
  let down = false;
  connection.on('error', (err) => {
    if (!down) logger.warning(`Redis unreachable at ${where} (${err.message}); answering 503 until it is back`);
    down = true;
  });
  connection.on('ready', () => {
    if (down) logger.info('Redis is back; accepting requests again');
    down = false;
  });
}

/** Resolves when the connection next says it is ready, or after `ms`, whichever comes first. */
export function redisReady(connection: Connection, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      connection.off('ready', done);
      resolve();
    }
    connection.once('ready', done);
  });
}

/** Where the apps' Redis is, for log lines: addresses only, never a credential. */
function describeRedis({ cluster, sentinel, url }: RedisSettings): string {
  const list = (nodes: ReadonlyArray<{ host: string; port: number }>) => nodes.map((n) => `${n.host}:${n.port}`).join(', ');
  if (cluster) return `the cluster (${list(cluster.nodes)})`;
  if (sentinel) return `the primary ${JSON.stringify(sentinel.name)} of the sentinels (${list(sentinel.nodes)})`;
  return redactUrl(url);
}
