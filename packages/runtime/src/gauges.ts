import type { Config } from '@knocker/config';
import { LISTED_KEYS, LISTED_ORDER_KEYS } from '@knocker/contract';
import { createFlowGauges, createFlowStore, flowEnabled } from '@knocker/flow';
import { prefixKeys } from '@knocker/keys';
import { createOrderGauges, createQueueGauges, createScheduleGauge, type Registry } from '@knocker/metrics';
import { createLease, type Connection, type RequestStore, type Schedules } from '@knocker/queue';

/** How long a publisher keeps its lease without renewing it: another takes over within this after it dies. */
const LEASE_MS = 30_000;

/**
 * The gauges read from Redis (queues, flow keys, schedules), published by one worker only,
 * the one holding each lease; the others publish nothing, so a sum over replicas counts
 * every job once.
 */
export function publishGauges(registry: Registry, rt: { config: Config; connection: Connection; store: RequestStore; schedules: Schedules }): void {
  const { config, connection } = rt;
  const { leases } = prefixKeys(config.queue.prefix);
  const leased = <T>(key: string, read: () => Promise<T>) => {
    const held = createLease(connection, key, LEASE_MS);
    return async () => ((await held()) ? read() : undefined);
  };
  createQueueGauges(registry, leased(leases.queues, () => rt.store.stats()));
  createOrderGauges(registry, leased(leases.orders, () => rt.store.orderSummary(LISTED_ORDER_KEYS)));
  if (flowEnabled(config.flow)) {
    const flow = createFlowStore(connection, config.queue.prefix);
    createFlowGauges(registry, leased(leases.flow, () => flow.list(LISTED_KEYS)));
  }
  if (config.schedules.max > 0) createScheduleGauge(registry, leased(leases.schedules, () => rt.schedules.counts()));
}
