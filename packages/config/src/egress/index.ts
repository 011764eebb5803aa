// The four variables' parsers, free of dependencies (Node's networking included), so that the
// configuration package can call them from its schema.
export { parseEgressProxy } from './proxy.js';
export type { ProxySetting } from './proxy.js';
export { parseNoProxy, bypassesProxy } from './no-proxy.js';
export type { NoProxyList } from './no-proxy.js';
export { parseTargetTls } from './target-tls.js';
export type { TlsSetting } from './target-tls.js';
export { parseTargetAuth } from './target-auth.js';
export type { AuthSetting, OAuth2Setting, BearerSetting } from './target-auth.js';
export { TargetTable, portOf } from './targets.js';
export type { TargetPattern } from './targets.js';
export { readEgressSettings, EGRESS_VARIABLES } from './settings.js';
export type { EgressSettings, EgressVariable } from './settings.js';
