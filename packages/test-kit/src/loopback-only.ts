import dns from 'node:dns';
import net from 'node:net';

/**
 * A safety net for tests that aim Knocker at forbidden addresses: every outgoing TCP
 * connection of this process must go to loopback, whatever the code under test decides. A
 * socket aimed elsewhere is destroyed before it connects, so a broken guard fails its test
 * instead of sending a packet. Also answers the test's made-up host names without DNS.
 */
export function installLoopbackOnly(fakeDns: Readonly<Record<string, readonly string[]>> = {}): () => void {
  const marker = Symbol.for('knocker.test.loopbackOnly');
  const proto = net.Socket.prototype as net.Socket & { [marker]?: true; connect: (...args: unknown[]) => net.Socket };
  if (proto[marker]) throw new Error('installLoopbackOnly: already installed; uninstall it first');
  proto[marker] = true;

  const lookup = dns.lookup;
  const fake = (hostname: string, options: unknown, callback: unknown): void => {
    const cb = (typeof options === 'function' ? options : callback) as (...a: unknown[]) => void;
    const opts = (typeof options === 'object' && options !== null ? options : {}) as dns.LookupOptions;
    const found = fakeDns[hostname.toLowerCase()];
    if (found === undefined) return void (lookup as (...a: unknown[]) => void)(hostname, options, callback);
    const all = found.map((address) => ({ address, family: net.isIP(address) }));
    process.nextTick(() => (opts.all ? cb(null, all) : cb(null, all[0]?.address, all[0]?.family)));
  };
  (dns as { lookup: unknown }).lookup = fake;

  const isLoopback = (ip: string) => /^127\./.test(ip) || ip === '::1' || ip === '::ffff:127.0.0.1';
  const refuse = (ip: string) => Object.assign(new Error(`test safety net: refused to connect to ${ip}, which is not loopback`), { code: 'ETESTNOTLOOPBACK' });
  const connect = proto.connect;
  proto.connect = function (this: net.Socket, ...args: unknown[]) {
    // net.connect() passes its already normalized [options, callback] array along.
    const holder = (Array.isArray(args[0]) ? args[0] : args) as unknown[];
    const opts = holder[0];
    if (typeof opts === 'object' && opts !== null && 'port' in opts) {
      const o = opts as net.TcpNetConnectOpts;
      const host = (o.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
      if (net.isIP(host) && !isLoopback(host)) {
        process.nextTick(() => this.destroy(refuse(host)));
        return this;
      }
      const inner = (o.lookup ?? dns.lookup) as net.LookupFunction;
      const checked: net.LookupFunction = (hostname, options, callback) =>
        inner(hostname, options, (err, address, family) => {
          const list = typeof address === 'string' ? [address] : (address ?? []).map((a) => a.address);
          const bad = list.find((ip) => !isLoopback(ip));
          if (!err && bad !== undefined) return callback(refuse(bad), '');
          callback(err, address, family);
        });
      holder[0] = { ...o, lookup: checked };
    }
    return connect.apply(this, args);
  } as typeof proto.connect;

  // Inside a test runner the process outlives the test file: put everything back afterwards.
  return () => {
    proto.connect = connect;
    (dns as { lookup: unknown }).lookup = lookup;
    delete proto[marker];
  };
}
