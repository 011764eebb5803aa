import net from 'node:net';

/** The machine's Redis, for tests that need no fault injection. Never flush it. */
export function sharedRedisUrl(): string {
  return process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
}

function encode(args: readonly string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/**
 * True when the server answers PING within timeoutMs. Talks raw RESP so the kit
 * needs no client library; a paused server accepts the connection but stays
 * silent, which is exactly the case the timeout covers.
 */
export function pingRedis(url: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      resolve(false);
      return;
    }
    if (parsed.protocol !== 'redis:') {
      resolve(false);
      return;
    }
    const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
    const port = Number(parsed.port || 6379);
    const user = decodeURIComponent(parsed.username);
    const password = decodeURIComponent(parsed.password);
    const commands: string[] = [];
    if (password) commands.push(encode(user ? ['AUTH', user, password] : ['AUTH', password]));
    commands.push('PING\r\n');

    let buffered = '';
    let settled = false;
    const socket = net.connect({ host, port });
    const finish = (ok: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.on('connect', () => socket.write(commands.join('')));
    socket.on('data', (chunk: Buffer) => {
      buffered += chunk.toString('latin1');
      const lines = buffered.split('\r\n');
      // The last element is an incomplete line (or empty after a full one).
      if (lines.length - 1 < commands.length) return;
      const replies = lines.slice(0, commands.length);
      finish(replies.at(-1) === '+PONG' && replies.slice(0, -1).every((l) => l === '+OK'));
    });
    socket.on('error', () => finish(false));
    socket.on('close', () => finish(false));
  });
}
