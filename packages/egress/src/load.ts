import type { EgressSettings } from '@knocker/config';
import type { Egress, EgressDeps } from './egress.js';

/**
 * Reads every file the egress settings (EGRESS_PROXY, EGRESS_NO_PROXY, TARGET_TLS, TARGET_AUTH,
 * parsed by the configuration) name. Undefined when none is set: then nothing else of this
 * package is loaded, and the worker keeps its own agents. Throws EgressConfigError (exit 78)
 * naming the variable and target.
 */
export async function loadEgress(settings: EgressSettings | undefined, deps: EgressDeps): Promise<Egress | undefined> {
  if (settings === undefined) return undefined;
  const { startEgress } = await import('./egress.js');
  return startEgress(settings, deps);
}
