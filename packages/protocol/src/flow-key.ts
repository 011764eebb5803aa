import type { KnockConfig } from './request.js';

/** What flow control counts under: the target's host:port, or the request's Knocker-Flow-Key. */
export type FlowKey = string;

const DEFAULT_PORT = { http: '80', https: '443' } as const;

/** The key of a request: its Knocker-Flow-Key, else its target's host:port. */
export function flowKeyOf(config: Pick<KnockConfig, 'host' | 'scheme' | 'flow_key'>): FlowKey {
  return config.flow_key ?? targetKeyOf(config);
}

/** The target host with its port always written, so `a.example` and `a.example:443` are one key. */
export function targetKeyOf(config: Pick<KnockConfig, 'host' | 'scheme'>): string {
  return /:\d+$/.test(config.host) ? config.host : `${config.host}:${DEFAULT_PORT[config.scheme]}`;
}
