import { EgressConfigError } from './errors.js';
import type { Egress, EgressDeps } from './egress.js';
import { readEgressSettings } from './parse/settings.js';

/**
 * Reads EGRESS_PROXY, EGRESS_NO_PROXY, TARGET_TLS and TARGET_AUTH and every file they name.
 * Undefined when none is set: then nothing else of this package is loaded, and the worker keeps
 * its own agents. Throws EgressConfigError (exit 78) naming the variable and target.
 */
export async function loadEgress(env: Readonly<Record<string, string | undefined>>, deps: Omit<EgressDeps, 'env'>): Promise<Egress | undefined> {
  const read = readEgressSettings(env);
  if (read.problems !== undefined) throw new EgressConfigError(read.problems);
  if (read.settings === undefined) return undefined;
  const { startEgress } = await import('./egress.js');
  return startEgress(read.settings, { ...deps, env });
}
