import type { KnockConfig } from '@knocker/protocol';

/** What flow control counts under: the target's host:port, or the request's Knocker-Flow-Key. */
export type FlowKey = string;

const DEFAULT_PORT = { http: '80', https: '443' } as const;

/** The key of a request: its Knocker-Flow-Key, else its target host with the port always written. */
export function flowKeyOf(config: Pick<KnockConfig, 'host' | 'scheme' | 'flow_key'>): FlowKey {
  if (config.flow_key !== undefined) return config.flow_key;
  return /:\d+$/.test(config.host) ? config.host : `${config.host}:${DEFAULT_PORT[config.scheme]}`;
}
