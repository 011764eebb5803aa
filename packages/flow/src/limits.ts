import type { FlowSettings, KeyLimits } from '@knocker/config';

/** True when any limit or the breaker is configured; otherwise deliveries skip flow control entirely. */
export function flowEnabled(s: FlowSettings): boolean {
  return s.defaults.concurrency > 0 || s.defaults.rate > 0 || s.overrides.size > 0 || s.breaker.failures > 0;
}

export function limitsFor(s: FlowSettings, key: string): KeyLimits {
  return s.overrides.get(key) ?? s.defaults;
}
