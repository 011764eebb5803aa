import { parseNoProxy, type NoProxyList } from './no-proxy.js';
import { parseEgressProxy, type ProxySetting } from './proxy.js';
import { parseTargetAuth, type AuthSetting } from './target-auth.js';
import { parseTargetTls, type TlsSetting } from './target-tls.js';

/** The four variables, read; files are not read yet. */
export interface EgressSettings {
  proxy: ProxySetting | undefined;
  noProxy: NoProxyList | undefined;
  tls: TlsSetting[];
  auth: AuthSetting[];
}

export const EGRESS_VARIABLES = ['EGRESS_PROXY', 'EGRESS_NO_PROXY', 'TARGET_TLS', 'TARGET_AUTH'] as const;
export type EgressVariable = (typeof EGRESS_VARIABLES)[number];

/**
 * Reads the four variables (empty counts as unset, so a compose override can clear one):
 * undefined when none is set, which costs the worker nothing; `problems` names each bad one.
 */
export function readEgressSettings(env: Readonly<Record<string, string | undefined>>):
  | { settings: EgressSettings | undefined; problems?: undefined }
  | { settings?: undefined; problems: Partial<Record<EgressVariable, string>> } {
  const value = (name: EgressVariable) => (env[name]?.trim() ? env[name] : undefined);
  if (EGRESS_VARIABLES.every((name) => value(name) === undefined)) return { settings: undefined };
  const problems: Partial<Record<EgressVariable, string>> = {};
  const read = <T>(name: EgressVariable, parse: (raw: string) => T | string): T | undefined => {
    const raw = value(name);
    if (raw === undefined) return undefined;
    const parsed = parse(raw);
    if (typeof parsed !== 'string') return parsed;
    problems[name] = parsed;
    return undefined;
  };
  const settings: EgressSettings = {
    proxy: read('EGRESS_PROXY', parseEgressProxy),
    noProxy: read('EGRESS_NO_PROXY', parseNoProxy),
    tls: read('TARGET_TLS', parseTargetTls) ?? [],
    auth: read('TARGET_AUTH', parseTargetAuth) ?? [],
  };
  return Object.keys(problems).length > 0 ? { problems } : { settings };
}
