import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { AddressRefusedError, createGuardedAgents, guardAgent, guardedLookup, type AddressPolicy, type GuardedAgents, type Resolver } from '@knocker/netguard';
import { ProxyRefusedError } from './errors.js';
import { bypassesProxy, type NoProxyList } from '@knocker/config';
import type { ProxySetting } from '@knocker/config';
import { portOf, TargetTable } from '@knocker/config';
import type { TargetTls } from './tls-load.js';

/** The worker's agents: the default guarded ones, and the one a target needs when it is not those. */
export interface RoutedAgents extends GuardedAgents {
  /** Undefined when the target goes direct without TLS options of its own: the defaults serve it. */
  forUrl?(url: URL): http.Agent | undefined;
}

type ProxyTls = https.RequestOptions & { secureContext?: tls.SecureContext };

/** hpagent's two classes, loaded only when EGRESS_PROXY is set. */
export interface ProxyAgentClasses {
  HttpProxyAgent: new (options: http.AgentOptions & { proxy: string; proxyRequestOptions?: ProxyTls }) => http.Agent;
  HttpsProxyAgent: new (options: https.AgentOptions & { proxy: string; proxyRequestOptions?: ProxyTls }) => https.Agent;
}

export interface RouterOptions {
  policy: AddressPolicy;
  resolve?: Resolver;
  proxy?: { setting: ProxySetting; noProxy: NoProxyList | undefined; classes: ProxyAgentClasses };
  tls: readonly TargetTls[];
}

export interface Router {
  agents: RoutedAgents;
  /** For URLs the operator configured (a token endpoint): the same proxy and TLS rules, without the address guard. */
  forOperator(url: URL): http.Agent;
  /** New TLS options (a reload): later connections use them; idle connections made with the old ones are closed. */
  replaceTls(entries: readonly TargetTls[]): void;
  destroy(): void;
}

/** How long the proxy has to answer CONNECT; the attempt's own deadline is usually shorter. */
const CONNECT_TIMEOUT_MS = 30_000;

type Callback = (err: Error | null, socket?: Duplex | null) => void;
type Connect = (options: http.ClientRequestArgs & tls.ConnectionOptions, callback: Callback) => Duplex | null | undefined;

/**
 * Picks the agent per target. Agents are made on first use and kept per (TLS entry, direct or
 * proxy, scheme, guarded or not): at most 8 per entry, so their number is bounded by TARGET_TLS's.
 */
export function createRouter(opts: RouterOptions): Router {
  const defaults = createGuardedAgents(opts.policy, opts.resolve === undefined ? {} : { resolve: opts.resolve });
  let entries = opts.tls;
  let table = new TargetTable(entries.map((e, i) => [e.target, i] as const));
  let made = new Map<string, http.Agent>();
  const { proxy } = opts;

  const route = (url: URL, guarded: boolean): http.Agent | undefined => {
    const secure = url.protocol === 'https:';
    const entry = secure && entries.length > 0 ? table.find(url.hostname, portOf(url)) : undefined;
    const proxied = proxy !== undefined && (proxy.noProxy === undefined || !bypassesProxy(proxy.noProxy, url.hostname));
    if (guarded && entry === undefined && !proxied) return undefined;
    const key = `${guarded ? 'g' : 'o'}${proxied ? 'p' : 'd'}${secure ? 's' : 'h'}${entry ?? ''}`;
    let agent = made.get(key);
    if (agent === undefined) {
      const tlsOptions = entry === undefined ? {} : (entries[entry] as TargetTls).options;
      agent = proxied ? proxyAgent(secure, tlsOptions, guarded) : directAgent(secure, tlsOptions, guarded);
      made.set(key, agent);
    }
    return agent;
  };

  const directAgent = (secure: boolean, tlsOptions: object, guarded: boolean): http.Agent => {
    const agent = secure ? new https.Agent({ keepAlive: true, ...tlsOptions }) : new http.Agent({ keepAlive: true });
    return guarded ? guardAgent(agent, opts.policy, opts.resolve) : agent;
  };

  const proxyAgent = (secure: boolean, tlsOptions: object, guarded: boolean): http.Agent => {
    const { setting, classes } = proxy!;
    const agent = secure
      ? new classes.HttpsProxyAgent({ keepAlive: true, proxy: setting.href, proxyRequestOptions: proxyTls(setting), ...tlsOptions })
      : new classes.HttpProxyAgent({ keepAlive: true, proxy: setting.href, proxyRequestOptions: proxyTls(setting) });
    return throughProxy(agent, setting, guarded ? guardedLookup(opts.policy, opts.resolve) : undefined, opts.policy);
  };

  // TLS to the proxy itself (https://): a TARGET_TLS entry for its host:port applies.
  const proxyTls = (setting: ProxySetting): ProxyTls => {
    if (setting.protocol !== 'https:') return {};
    const entry = table.find(setting.hostname, setting.port);
    return entry === undefined ? {} : { secureContext: (entries[entry] as TargetTls).options.secureContext };
  };

  return {
    agents: { ...defaults, forUrl: (url) => route(url, true) },
    // Never undefined unguarded: the defaults are guarded.
    forOperator: (url) => route(url, false) as http.Agent,
    replaceTls(next) {
      const old = made;
      entries = next;
      table = new TargetTable(entries.map((e, i) => [e.target, i] as const));
      made = new Map();
      for (const agent of old.values()) retire(agent);
    },
    destroy() {
      for (const agent of [...made.values(), defaults.http, defaults.https]) agent.destroy();
      made.clear();
    },
  };
}

/**
 * Wraps a proxy agent's createConnection. With the guard (`lookup`), Knocker resolves the
 * target itself, refuses blocked addresses before the proxy hears of it, and asks the proxy to
 * CONNECT to the address it checked, so that the proxy cannot resolve the name elsewhere; the
 * name still goes in SNI, the Host header and the certificate check. Without it (URLs the
 * operator configured), the proxy resolves the name. The proxy's own address is never judged:
 * the operator named it. Failures name the proxy without its credentials.
 */
function throughProxy<A extends http.Agent>(agent: A, proxy: ProxySetting, lookup: ReturnType<typeof guardedLookup> | undefined, policy: AddressPolicy): A {
  const connect = (agent.createConnection as unknown as Connect).bind(agent);
  (agent as unknown as { createConnection: Connect }).createConnection = (options, callback) => {
    const host = (options.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
    const identity = options.servername || host;
    const open = (address: string): void => {
      const destination = `${isIP(address) === 6 ? `[${address}]` : address}:${options.port}`;
      connect(
        { ...options, host: isIP(address) === 6 ? `[${address}]` : address, timeout: CONNECT_TIMEOUT_MS, checkServerIdentity: (_name, cert) => tls.checkServerIdentity(identity, cert) },
        (err, socket) => (err ? callback(proxyFailure(err, proxy, destination)) : callback(null, socket)),
      );
    };
    if (lookup === undefined) return void open(host);
    if (isIP(host)) {
      const refusal = policy.refusal(host);
      return void (refusal ? callback(new AddressRefusedError(host, refusal)) : open(host));
    }
    const family = options.family === 4 || options.family === 6 ? options.family : 0;
    lookup(host, { family, all: false }, (err, address) => (err ? callback(err) : open(address as string)));
    return undefined;
  };
  return agent;
}

/** hpagent's errors, made to say that the proxy was the one failing. */
function proxyFailure(err: Error, proxy: ProxySetting, destination: string): Error {
  const status = /^Bad response: (\d{3})$/.exec(err.message)?.[1];
  if (status !== undefined) {
    // 407 is the standard answer; tinyproxy, for one, answers 401.
    const why = status === '407' || status === '401' ? ' (its credentials were refused)' : '';
    return new ProxyRefusedError(`the proxy ${proxy.shown} (EGRESS_PROXY) answered ${status}${why} to CONNECT ${destination}`);
  }
  if (err.message === 'Proxy timeout') {
    return Object.assign(new Error(`the proxy ${proxy.shown} (EGRESS_PROXY) did not answer CONNECT ${destination} within ${CONNECT_TIMEOUT_MS} ms`), { code: 'ETIMEDOUT' });
  }
  const code = (err as NodeJS.ErrnoException).code;
  return Object.assign(new Error(`cannot reach the proxy ${proxy.shown} (EGRESS_PROXY): ${err.message}`), code === undefined ? {} : { code });
}

/** An agent no longer handed out: it keeps the connections in use, and closes each once it is idle. */
function retire(agent: http.Agent): void {
  const idle = (socket: Duplex) => Object.values(agent.freeSockets).some((list) => list?.includes(socket as never));
  agent.on('free', (socket: Duplex) => {
    if (idle(socket)) socket.destroy();
  });
  for (const list of Object.values(agent.freeSockets)) for (const socket of list ?? []) socket.destroy();
}
