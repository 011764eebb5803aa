import { collectDefaultMetrics, Registry } from 'prom-client';

// prom-client names these gauges with a `_total` suffix, which Prometheus reserves for
// counters (`promtool check metrics` flags them); the process keeps every other default.
const MISNAMED = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

/** A registry of its own per process (and per test), with Node's process metrics. */
export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const name of MISNAMED) registry.removeSingleMetric(name);
  return registry;
}
