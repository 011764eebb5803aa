import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort, loopbackTls, sleep, startTinyproxy, targetPool, waitFor, type Tinyproxy } from '@knocker/test-kit';
import { bodyOf, logged, startRelay, stopRelays, type Relay } from './knock.js';

const targets = targetPool();
const proxies: Tinyproxy[] = [];
afterAll(async () => {
  await stopRelays();
  await Promise.all([targets.closeAll(), ...proxies.map((p) => p.close())]);
});

async function proxy(opts: Parameters<typeof startTinyproxy>[0]): Promise<Tinyproxy> {
  const p = await startTinyproxy(opts);
  proxies.push(p);
  return p;
}

describe('EGRESS_PROXY through tinyproxy', () => {
  let tiny: Tinyproxy;
  let relay: Relay;
  let plain: Awaited<ReturnType<typeof targets.start>>;
  let secure: Awaited<ReturnType<typeof targets.start>>;
  let elsewhere: Awaited<ReturnType<typeof targets.start>>;
  let callbacks: Awaited<ReturnType<typeof targets.start>>;

  beforeAll(async () => {
    [plain, secure, elsewhere, callbacks] = await Promise.all([
      targets.start(), targets.start(undefined, { tls: { key: loopbackTls.key, cert: loopbackTls.cert } }),
      targets.start(undefined, { host: '127.0.0.2' }), targets.start(),
    ]);
    // The proxy listens on 127.0.0.3, which ALLOWED_NETWORKS does not list: the operator named it, so it is not judged.
    tiny = await proxy({ connectPorts: [plain.port, secure.port, callbacks.port], listen: '127.0.0.3' });
    relay = await startRelay('egress-proxy', {
      EGRESS_PROXY: tiny.url, EGRESS_NO_PROXY: '127.0.0.2', NODE_EXTRA_CA_CERTS: loopbackTls.certPath,
      BLOCK_PRIVATE_NETWORKS: 'true', ALLOWED_NETWORKS: '127.0.0.1/32,127.0.0.2/32',
    }, { fakeDns: { 'pinned.test': ['127.0.0.1'], 'internal.test': ['10.0.0.1'], 'metadata.test': ['169.254.169.254'] } });
  });

  it('says at start that deliveries go through the proxy, without credentials', async () => {
    await logged(relay, new RegExp(`Egress: deliveries and callbacks go through ${tiny.url.replace(/\./g, '\\.')} \\(EGRESS_PROXY\\), but for 1 EGRESS_NO_PROXY entries`));
  });

  it('delivers to an http target with CONNECT through the proxy', async () => {
    await relay.knock(plain.host);
    const [got] = await plain.waitForRequests(1);
    expect(bodyOf(got)).toEqual({ hello: 'egress' });
    expect(tiny.requests()).toContain(`CONNECT 127.0.0.1:${plain.port} HTTP/1.1`);
  });

  it('delivers to an https target through a tunnel, its certificate checked end to end', async () => {
    await relay.knock(secure.host, [['Knocker-Scheme', 'https']]);
    await secure.waitForRequests(1);
    expect(tiny.requests()).toContain(`CONNECT 127.0.0.1:${secure.port} HTTP/1.1`);
  });

  it('resolves a name itself and asks the proxy for the address it checked, the name kept in Host', async () => {
    const before = plain.requests.length;
    await relay.knock(`pinned.test:${plain.port}`);
    const seen = await plain.waitForRequests(before + 1);
    expect(seen.at(-1)?.headers.host).toBe(`pinned.test:${plain.port}`);
    // tinyproxy could not have resolved pinned.test: only the worker knows it.
    expect(tiny.log()).not.toContain('pinned.test');
  });

  it('sends EGRESS_NO_PROXY targets direct', async () => {
    await relay.knock(elsewhere.host);
    await elsewhere.waitForRequests(1);
    expect(tiny.log()).not.toContain('127.0.0.2');
  });

  it.each([
    ['a name resolving to a private address', 'internal.test:8080', '10.0.0.1'],
    ['a name resolving to the metadata address', 'metadata.test:80', '169.254.169.254'],
  ])('refuses %s before the proxy is asked, and calls back through the proxy', async (_what, host, address) => {
    const asked = tiny.requests().length;
    const id = await relay.knock(host, [['Knocker-Retries', '2'], ['Knocker-Callback', `${callbacks.url}/failed`]]);
    const [, callback] = [undefined, (await waitFor(() => callbacks.requests.find((r) => bodyOf(r).config?.id === id), { what: 'the callback' }))];
    expect(bodyOf(callback)).toMatchObject({ status_code: 403, error: 'address_refused', attempts: 1 });
    expect(tiny.requests().slice(asked).filter((line) => line.includes(address) || line.includes(host.split(':')[0]!))).toEqual([]);
    // Tunnels are kept alive: the first callback opened the one later callbacks reuse.
    expect(tiny.requests()).toContain(`CONNECT 127.0.0.1:${callbacks.port} HTTP/1.1`);
  });
});

describe('a proxy that refuses', () => {
  it('fails the attempt naming the proxy and its answer, and retries', async () => {
    const t = await targets.start();
    const cb = await targets.start(undefined, { host: '127.0.0.2' });
    // Only 443 may be reached: without any ConnectPort line tinyproxy would allow every port.
    const strict = await proxy({ connectPorts: [443] });
    const relay = await startRelay('egress-refused', { EGRESS_PROXY: strict.url, EGRESS_NO_PROXY: '127.0.0.2' });
    const id = await relay.knock(t.host, [['Knocker-Retries', '1'], ['Knocker-Callback', cb.url]]);
    const [callback] = await cb.waitForRequests(1, 15_000).catch((err: Error) => { throw new Error(`${err.message}\n${relay.output()}`); });
    expect(bodyOf(callback)).toMatchObject({ config: { id }, status_code: 503, attempts: 2 });
    const { attempts } = await relay.inspect(id);
    expect(attempts.map((a) => a.error)).toEqual([1, 2].map(() => `EPROXY: the proxy ${strict.url} (EGRESS_PROXY) answered 403 to CONNECT 127.0.0.1:${t.port}`));
    expect(strict.log()).toContain(`Refused CONNECT method on port ${t.port}`);
    expect(t.requests).toHaveLength(0);
  });

  it('names a proxy that cannot be reached', async () => {
    const t = await targets.start();
    const gone = `http://127.0.0.1:${await freePort()}`;
    const relay = await startRelay('egress-gone', { EGRESS_PROXY: gone });
    const id = await relay.knock(t.host, [['Knocker-Retries', '1']]);
    await logged(relay, new RegExp(`Request #${id} \\(2/2\\).* 502 failed, no attempts left: ECONNREFUSED: cannot reach the proxy ${gone.replace(/\./g, '\\.')} \\(EGRESS_PROXY\\): connect ECONNREFUSED`));
  });
});

describe('proxy credentials', () => {
  it('are sent to the proxy and never logged, and a refusal says so without them', async () => {
    const t = await targets.start();
    const guarded = await proxy({ connectPorts: [t.port], basicAuth: { user: 'knocker', password: 'pr0xy-s3cret' } });
    const withCredentials = (password: string) => guarded.url.replace('http://', `http://knocker:${password}@`);
    const good = await startRelay('egress-auth', { EGRESS_PROXY: withCredentials('pr0xy-s3cret') });
    const bad = await startRelay('egress-auth-bad', { EGRESS_PROXY: withCredentials('wr0ng-s3cret') });
    await good.knock(t.host);
    await t.waitForRequests(1);
    const id = await bad.knock(t.host, [['Knocker-Retries', '0']]);
    await logged(bad, new RegExp(`Request #${id} .*EPROXY: the proxy ${guarded.url.replace(/\./g, '\\.')} \\(EGRESS_PROXY\\) answered 40[17] \\(its credentials were refused\\)`));
    await sleep(200);
    expect(t.requests).toHaveLength(1);
    for (const output of [good.output(), bad.output()]) expect(output).not.toMatch(/pr0xy-s3cret|wr0ng-s3cret|a25vY2tlcj/);
  });
});
