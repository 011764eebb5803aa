import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import { AddressRefusedError } from './errors.js';
import { guardedLookup, type Resolver } from './lookup.js';
import type { AddressPolicy } from './policy.js';

type Connect = (options: http.ClientRequestArgs, callback?: (err: Error | null, stream: Duplex) => void) => Duplex | null | undefined;

/**
 * Wraps an agent's createConnection, which every socket goes through (first request, keep-alive
 * misses, each redirect). Names are checked on the addresses they resolve to; IP literals,
 * which net.connect never looks up, are checked here directly. A refusal fails the request
 * before any packet is sent.
 */
export function guardAgent<A extends http.Agent>(agent: A, policy: AddressPolicy, resolve?: Resolver): A {
  const connect = (agent.createConnection as Connect).bind(agent);
  const lookup = guardedLookup(policy, resolve);
  (agent as { createConnection: Connect }).createConnection = (options, callback) => {
    const host = (options.hostname ?? options.host ?? 'localhost').replace(/^\[(.*)\]$/, '$1');
    const refusal = isIP(host) ? policy.refusal(host) : undefined;
    if (refusal) {
      callback?.(new AddressRefusedError(host, refusal), undefined as unknown as Duplex);
      return undefined;
    }
    return connect({ ...options, lookup }, callback);
  };
  return agent;
}

export interface GuardedAgents {
  http: http.Agent;
  https: https.Agent;
}

/** Keep-alive agents that only connect where the policy allows. */
export function createGuardedAgents(policy: AddressPolicy, opts: { resolve?: Resolver } = {}): GuardedAgents {
  return {
    http: guardAgent(new http.Agent({ keepAlive: true }), policy, opts.resolve),
    https: guardAgent(new https.Agent({ keepAlive: true }), policy, opts.resolve),
  };
}
