// The private Redis of `pnpm start`: its configuration, credentials included, and the probe
// that tells whether a Redis answers at REDIS_URL with them.
import net from 'node:net';

/** A value for a line of redis.conf: double-quoted, every byte but letters and digits as \xHH. */
export function confValue(value) {
  return `"${[...Buffer.from(value, 'utf8')].map((b) => (/[A-Za-z0-9]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`)).join('')}"`;
}

/** The user and password of a redis:// URL, percent-decoded; the user is `default` when none is named. */
export function credentials(url) {
  return { user: decodeURIComponent(url.username) || 'default', password: decodeURIComponent(url.password) };
}

/**
 * redis.conf for the private Redis, read on its stdin so that no password shows in the process
 * list: loopback only (IPv6 too where there is one), AOF on, no eviction (an evicted key is a lost request), and the URL's
 * credentials. A password alone is the default user's (requirepass); a named user gets every
 * right, and the default user is turned off, so those credentials are the only way in.
 */
export function redisConf(url, dir) {
  const { user, password } = credentials(url);
  const lines = [
    'bind 127.0.0.1 -::1', `port ${Number(url.port || 6379)}`, `dir ${confValue(dir)}`,
    'appendonly yes', 'appendfsync everysec', 'save ""', 'maxmemory-policy noeviction',
  ];
  if (user === 'default') {
    if (password) lines.push(`requirepass ${confValue(password)}`);
  } else {
    lines.push(`user ${confValue(user)} on ${password ? confValue(`>${password}`) : 'nopass'} "~*" "&*" "+@all"`, 'user default off');
  }
  return `${lines.join('\n')}\n`;
}

/** One command in RESP, whatever bytes its arguments hold. */
function command(...args) {
  return Buffer.concat([Buffer.from(`*${args.length}\r\n`), ...args.flatMap((a) => [Buffer.from(`$${Buffer.byteLength(a)}\r\n`), Buffer.from(a), Buffer.from('\r\n')])]);
}

/**
 * Whether a Redis answers PING at `url` with its credentials: 'pong', 'refused' (it answers
 * but not to them), or undefined (nothing answers within 500 ms).
 */
export function probeRedis(url) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname.replace(/^\[|\]$/g, ''), port: Number(url.port || 6379) });
    let reply = '';
    const done = (answer) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(500, () => done(undefined));
    socket.on('error', () => done(undefined));
    socket.on('connect', () => {
      const { user, password } = credentials(url);
      // AUTH with a password to a Redis that has none fails harmlessly; PING says the rest.
      socket.write(Buffer.concat([...(password ? [user === 'default' ? command('AUTH', password) : command('AUTH', user, password)] : []), command('PING')]));
    });
    socket.on('data', (d) => {
      reply += String(d);
      // PING's own answer: PONG, or NOAUTH when the credentials were missing or refused.
      if (/\+PONG\r\n/.test(reply)) done('pong');
      else if (/-NOAUTH[^\r]*\r\n/.test(reply)) done('refused');
    });
  });
}
