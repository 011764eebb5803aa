import type { RequestListener } from 'node:http';
import { startHttpObservation, type HttpMetrics, type Registry } from '@knocker/metrics';
import { answerError, type ErrorAnswerDeps } from '../answer.js';
import type { createApiKeyCheck } from './api-key.js';
import type { InflightGate } from '../shedding/inflight.js';
import { answerWriteTimeout } from './write-timeout.js';
import type { Relay } from './relay.js';

/**
 * Whether a request target may be one of Knocker's own routes. Express matches its routes
 * case-insensitively, with or without a trailing slash, on the undecoded path; anything this
 * cannot rule out quickly (a %-escape, an absolute-form target) is left to express, which
 * relays what none of its routes takes.
 */
export function reservedMatcher(paths: readonly string[]): (url: string) => boolean {
  const prefixes = [...new Set(paths.map((p) => p.toLowerCase().replace(/\/+$/, '')))];
  if (prefixes.includes('')) return () => true;
  return (url) => {
    if (url.charCodeAt(0) !== 0x2f || url.includes('%')) return true;
    const q = url.indexOf('?');
    const path = (q < 0 ? url : url.slice(0, q)).toLowerCase();
    for (const p of prefixes) {
      if (path.startsWith(p) && (path.length === p.length || path.charCodeAt(p.length) === 0x2f)) return true;
    }
    return false;
  };
}

export interface FastPathDeps extends ErrorAnswerDeps {
  registry: Registry | undefined;
  metrics: HttpMetrics;
  writeTimeoutMs: number;
  gate: InflightGate;
  checkKey: ReturnType<typeof createApiKeyCheck>;
  relay: Relay;
}

/**
 * The relay path as express serves it (metrics, write timeout, api key, in-flight limit,
 * relay, error answer), in one handler with one listener per answer instead of six.
 */
export function createFastPath(deps: FastPathDeps): RequestListener {
  const { registry, metrics, writeTimeoutMs, gate, checkKey, relay } = deps;
  const onError = (err: unknown, req: Parameters<RequestListener>[0], res: Parameters<RequestListener>[1]) => answerError(deps, err, req, res);
  return (req, res) => {
    const arrived = performance.now();
    const observed = registry ? startHttpObservation(metrics) : undefined;
    const timer = setTimeout(answerWriteTimeout, writeTimeoutMs, res, writeTimeoutMs);
    let entered = false;
    res.once('close', () => {
      clearTimeout(timer);
      if (entered) gate.leave(performance.now() - arrived);
      observed?.(req, res);
    });
    const refused = checkKey(req) ?? gate.enter();
    if (refused) return onError(refused, req, res);
    entered = true;
    relay(req, res).catch((err: unknown) => onError(err, req, res));
  };
}
