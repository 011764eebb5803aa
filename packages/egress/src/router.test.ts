import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createAddressPolicy } from '@knocker/netguard';
import { makeCertificateAuthority, startTarget, type Target } from '@knocker/test-kit';
import { parseEgressProxy, type ProxySetting } from '@knocker/config';
import { parseNoProxy, type NoProxyList } from '@knocker/config';
import { parseTargetTls } from '@knocker/config';
import { createRouter, type ProxyAgentClasses, type Router } from './router.js';
import { defaultCas, loadTargetTls, type TargetTls } from './tls-load.js';

// A CONNECT proxy reached over TLS (EGRESS_PROXY=https://…), written for this test: tinyproxy
// does not speak TLS itself.
const dir = mkdtempSync(path.join(tmpdir(), 'egress-router-'));
const proxyCa = makeCertificateAuthority('Proxy CA', path.join(dir, 'ca'));
const proxyCert = proxyCa.server('proxy');
const connects: string[] = [];
const proxyServer = https.createServer({ key: proxyCert.key, cert: proxyCert.cert });
proxyServer.on('connect', (req: http.IncomingMessage, socket: net.Socket) => {
  connects.push(`${req.url} ${req.headers['proxy-authorization'] ?? ''}`.trim());
  const [host, port] = [req.url!.slice(0, req.url!.lastIndexOf(':')), Number(req.url!.slice(req.url!.lastIndexOf(':') + 1))];
  const upstream = net.connect(port, host.replace(/^\[|\]$/g, ''), () => {
    socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
    upstream.pipe(socket).pipe(upstream);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
});

let target: Target;
let proxy: ProxySetting;
let classes: ProxyAgentClasses;
let router: Router;
beforeAll(async () => {
  await new Promise<void>((resolve) => proxyServer.listen(0, '127.0.0.1', resolve));
  const port = (proxyServer.address() as AddressInfo).port;
  target = await startTarget();
  proxy = parseEgressProxy(`https://knocker:pa%24%24@127.0.0.1:${port}`) as ProxySetting;
  classes = (await import('hpagent')) as unknown as ProxyAgentClasses;
  const [setting] = parseTargetTls(`127.0.0.1:${port} ca=${proxyCa.certPath}`) as [Parameters<typeof loadTargetTls>[0]];
  const tls = (await loadTargetTls(setting, () => defaultCas(undefined))) as TargetTls;
  router = createRouter({
    policy: createAddressPolicy({ blockPrivateNetworks: false, allowedNetworks: [] }), tls: [tls],
    proxy: { setting: proxy, noProxy: parseNoProxy('127.0.0.2, .direct.test') as NoProxyList, classes },
  });
});
afterAll(async () => {
  router.destroy();
  proxyServer.closeAllConnections();
  await Promise.all([target.close(), new Promise((resolve) => proxyServer.close(resolve))]);
  rmSync(dir, { recursive: true, force: true });
});

function get(url: URL, agent: http.Agent | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { agent: agent ?? false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the agent for a target', () => {
  it('tunnels through a proxy reached over TLS, trusting its CA from TARGET_TLS and sending its credentials', async () => {
    const url = new URL(`${target.url}/through`);
    expect(await get(url, router.agents.forUrl!(url))).toBe(200);
    expect(connects.at(-1)).toBe(`127.0.0.1:${target.port} Basic ${Buffer.from('knocker:pa$$').toString('base64')}`);
  });

  it('asks the proxy for the address it resolved for a guarded target, but leaves an operator URL\'s name to the proxy', async () => {
    const url = new URL(`http://localhost:${target.port}/named`);
    await get(url, router.agents.forUrl!(url));
    expect(connects.at(-1)).toMatch(new RegExp(`^(127\\.0\\.0\\.1|\\[::1\\]):${target.port} `));
    await get(url, router.forOperator(url));
    expect(connects.at(-1)).toMatch(new RegExp(`^localhost:${target.port} `));
  });

  it('leaves EGRESS_NO_PROXY targets to the default agents', () => {
    expect(router.agents.forUrl!(new URL('http://127.0.0.2:80/'))).toBeUndefined();
    expect(router.agents.forUrl!(new URL('https://a.direct.test/'))).toBeUndefined();
    expect(router.agents.forUrl!(new URL('https://direct.test/'))).toBeDefined();
  });

  it('keeps one agent per entry and route, and replaces them when the TLS options are', () => {
    const url = new URL(`${target.url}/x`);
    const agent = router.agents.forUrl!(url)!;
    expect(router.agents.forUrl!(new URL(`${target.url}/y`))).toBe(agent);
    const idle = Object.values(agent.freeSockets).flat();
    expect(idle.length).toBeGreaterThan(0);
    router.replaceTls([]);
    expect(router.agents.forUrl!(url)).not.toBe(agent);
    expect(idle.every((socket) => socket?.destroyed)).toBe(true);
  });
});
