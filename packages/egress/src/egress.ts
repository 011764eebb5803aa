import type { EventEmitter } from 'node:events';
import { createAddressPolicy, type PolicyOptions, type Resolver } from '@knocker/netguard';
import { createAuthorizer, type Authorizer, type Credential } from './auth.js';
import { loadAuth, type LoadedAuth } from './credentials.js';
import { EgressConfigError } from './errors.js';
import type { EgressSettings } from '@knocker/config';
import { createRouter, type ProxyAgentClasses, type RoutedAgents } from './router.js';
import { defaultCas, loadTargetTls, type TargetTls } from './tls-load.js';
import type { TokenSource } from './token.js';

/** What the worker gets when any of the four variables is set. */
export interface Egress {
  agents: RoutedAgents;
  /** Undefined without TARGET_AUTH. */
  auth: Authorizer | undefined;
  /** Re-reads every file TARGET_TLS and TARGET_AUTH name; when one is wrong, says so and keeps the files in use. */
  reload(): Promise<boolean>;
  close(): void;
}

export interface EgressLogger {
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

export interface EgressDeps {
  /** BLOCK_PRIVATE_NETWORKS and ALLOWED_NETWORKS: the guard every delivery and callback goes through. */
  network: PolicyOptions;
  logger: EgressLogger;
  /** Read for NODE_EXTRA_CA_CERTS, which `ca=` adds to. */
  env: Readonly<Record<string, string | undefined>>;
  resolve?: Resolver;
  /** Where SIGHUP comes from (the process); tests may call reload() instead. */
  signals?: EventEmitter;
  now?: () => number;
}

/** Certificates expiring sooner than this are named in a warning at start and on each reload. */
const EXPIRY_WARNING_MS = 14 * 24 * 3600_000;

interface Loaded {
  tls: TargetTls[];
  auth: LoadedAuth[];
}

/** Reads every file, checks it, and builds the agents and token sources; throws EgressConfigError (exit 78) when a file cannot be used. */
export async function startEgress(settings: EgressSettings, deps: EgressDeps): Promise<Egress> {
  const loaded = await loadFiles(settings, deps);
  if ('problems' in loaded) throw new EgressConfigError(loaded.problems);
  // Only with EGRESS_PROXY set is the proxy library loaded; only with an oauth2 entry the token client.
  const classes = settings.proxy === undefined ? undefined : ((await import('hpagent')) as unknown as ProxyAgentClasses);
  const tokens = settings.auth.some((a) => a.kind === 'oauth2') ? await import('./token.js') : undefined;
  const router = createRouter({
    policy: createAddressPolicy(deps.network), tls: loaded.tls,
    ...(deps.resolve !== undefined && { resolve: deps.resolve }),
    ...(settings.proxy !== undefined && classes !== undefined && { proxy: { setting: settings.proxy, noProxy: settings.noProxy, classes } }),
  });

  // A token source lives as long as its client secret: a reload that leaves the secret alone keeps the cached token.
  let sources = new Map<string, { secret: string; source: TokenSource }>();
  const credentialsOf = (auth: readonly LoadedAuth[]) => {
    const next = new Map<string, { secret: string; source: TokenSource }>();
    const entries = auth.map(({ setting, secret }) => {
      if (setting.kind === 'bearer') return { setting, credential: { kind: 'bearer', token: secret } as Credential };
      const kept = sources.get(setting.target.text);
      const source = kept?.secret === secret ? kept.source : tokens!.createTokenSource({ setting, secret, agentFor: router.forOperator, ...(deps.now && { now: deps.now }) });
      next.set(setting.target.text, { secret, source });
      return { setting, credential: { kind: 'oauth2', source } as Credential };
    });
    sources = next;
    return createAuthorizer(entries);
  };
  let authorizer = credentialsOf(loaded.auth);
  warnExpiring(loaded.tls, deps);
  deps.logger.info(describe(settings));

  let reloading: Promise<boolean> | undefined;
  const reload = async (): Promise<boolean> => {
    const next = await loadFiles(settings, deps);
    if ('problems' in next) {
      deps.logger.error(`Egress files not reloaded, those read before stay in use: ${Object.entries(next.problems).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
      return false;
    }
    router.replaceTls(next.tls);
    authorizer = credentialsOf(next.auth);
    warnExpiring(next.tls, deps);
    deps.logger.info(`Egress files reloaded: TLS options for ${next.tls.length} targets (TARGET_TLS), credentials for ${next.auth.length} (TARGET_AUTH)`);
    return true;
  };
  // One reload at a time; a signal during one asks for another after it.
  const onSignal = () => {
    const previous = reloading ?? Promise.resolve(true);
    const mine = previous.then(reload, reload).finally(() => {
      if (reloading === mine) reloading = undefined;
    });
    reloading = mine;
  };
  deps.signals?.on('SIGHUP', onSignal);

  return {
    agents: router.agents,
    auth: settings.auth.length === 0 ? undefined : { authorize: (url, headers, clock) => authorizer.authorize(url, headers, clock) },
    reload: () => {
      onSignal();
      return reloading as Promise<boolean>;
    },
    close() {
      deps.signals?.off('SIGHUP', onSignal);
      router.destroy();
    },
  };
}

/** Every file of TARGET_TLS and TARGET_AUTH, read and checked; the problems keyed by variable, each naming its target. */
async function loadFiles(settings: EgressSettings, deps: EgressDeps): Promise<Loaded | { problems: Record<string, string> }> {
  let cas: Promise<string[]> | undefined;
  const defaults = () => (cas ??= defaultCas(deps.env.NODE_EXTRA_CA_CERTS));
  const now = deps.now?.() ?? Date.now();
  const tls = await Promise.all(settings.tls.map((s) => loadTargetTls(s, defaults, now)));
  const auth = await Promise.all(settings.auth.map(loadAuth));
  const problems: Record<string, string> = {};
  const report = (variable: string, results: ReadonlyArray<object | string>, targets: readonly string[]) => {
    const bad = results.flatMap((r, i) => (typeof r === 'string' ? [`${targets[i]}: ${r}`] : []));
    if (bad.length > 0) problems[variable] = bad.join('; ');
  };
  report('TARGET_TLS', tls, settings.tls.map((s) => s.target.text));
  report('TARGET_AUTH', auth, settings.auth.map((s) => s.target.text));
  if (Object.keys(problems).length > 0) return { problems };
  return { tls: tls as TargetTls[], auth: auth as LoadedAuth[] };
}

function warnExpiring(tls: readonly TargetTls[], deps: EgressDeps): void {
  const now = deps.now?.() ?? Date.now();
  for (const entry of tls) {
    if (entry.certExpires !== undefined && entry.certExpires.getTime() - now < EXPIRY_WARNING_MS) {
      deps.logger.warning(`TARGET_TLS ${entry.target.text}: the client certificate expires on ${entry.certExpires.toISOString()}; replace its files and send SIGHUP`);
    }
  }
}

/** The start-up line: what is configured, never a credential. */
function describe(settings: EgressSettings): string {
  const parts: string[] = [];
  if (settings.proxy !== undefined) {
    const exceptions = settings.noProxy === undefined ? 0 : settings.noProxy.hosts.size + settings.noProxy.suffixes.length + settings.noProxy.networks.length;
    parts.push(`deliveries and callbacks go through ${settings.proxy.shown} (EGRESS_PROXY)${exceptions > 0 ? `, but for ${exceptions} EGRESS_NO_PROXY entries` : ''}`);
  }
  if (settings.tls.length > 0) parts.push(`TLS options for ${settings.tls.length} targets (TARGET_TLS)`);
  if (settings.auth.length > 0) parts.push(`credentials for ${settings.auth.length} targets (TARGET_AUTH)`);
  if (parts.length === 0) return 'Egress: EGRESS_NO_PROXY is set without EGRESS_PROXY, and changes nothing';
  const files = settings.tls.length + settings.auth.length > 0 ? '; SIGHUP re-reads their files' : '';
  return `Egress: ${parts.join('; ')}${files}`;
}
