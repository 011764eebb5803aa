import type { Egress } from '@knocker/egress';
import { createFlowGate, createFlowMetrics, createFlowStore, createWaker, flowEnabled } from '@knocker/flow';
import { createDeliveryMetrics, createOrderMetrics, createScheduleMetrics, type Registry } from '@knocker/metrics';
import { createAddressPolicy, createGuardedAgents } from '@knocker/netguard';
import { retryDelayMs } from '@knocker/protocol';
import type { Consumers } from '@knocker/queue';
import type { Runtime } from '@knocker/runtime';
import { createCallbackProcessor } from './callbacks/process-callback.js';
import { createHttpClient } from './http/call.js';
import { createDeliveryProcessor } from './delivery/process-delivery.js';
import { AttemptFailedError } from './delivery/errors.js';
import { createSigner } from './http/signing.js';
import { createTickProcessor } from './ticks.js';

/**
 * Builds the processors (one HTTP client on guarded agents or the egress's, the signer, flow control)
 * and has the store run them on every shard. Closing stops them and the agents.
 */
export function startDelivering(
  rt: Pick<Runtime, 'config' | 'connection' | 'store' | 'schedules' | 'logger' | 'reporter' | 'tracing'>, registry: Registry, egress?: Egress,
): Consumers {
  const { config, store, logger, tracing } = rt;
  // With EGRESS_* or TARGET_* set, the egress routes each target (proxy, TLS) and adds its token.
  const agents = egress?.agents ?? createGuardedAgents(createAddressPolicy(config.network));
  const http = createHttpClient({ maxRedirects: config.worker.maxRedirects, agents, auth: egress?.auth });
  // A target's token is the target's: callbacks go elsewhere and never carry it.
  const callbackHttp = { ...http, auth: undefined };
  const signer = createSigner(config.worker.signingKeys);
  const metrics = createDeliveryMetrics(registry);
  const order = createOrderMetrics(registry);
  // One gate for every shard: flow keys are counted across all of them. With no limit and no
  // breaker configured it asks Redis only for QStash messages that carry a flow-control key.
  const flow = createFlowGate({
    store: createFlowStore(rt.connection, config.queue.prefix), settings: config.flow, lockMs: config.worker.stalled.lockDurationMs,
    maxRedirects: config.worker.maxRedirects, wake: createWaker(() => store.deliveryQueues()), logger,
    metrics: flowEnabled(config.flow) ? createFlowMetrics(registry) : undefined,
  });
  flow.start();
  const consumers = store.consume({
    delivery: createDeliveryProcessor({ http, logger, reporter: rt.reporter, tracing, metrics, flow, signer, config }),
    callback: createCallbackProcessor({ http: callbackHttp, logger, reporter: rt.reporter, tracing, metrics, signer, config }),
    tick: config.schedules.max > 0
      ? createTickProcessor({ schedules: rt.schedules, store, logger, tracing, ticks: createScheduleMetrics(registry).ticks })
      : undefined,
  }, {
    concurrency: config.worker.concurrency,
    stalled: config.worker.stalled,
    retention: config.queue.retention,
    headLeft: (seconds) => order.headSeconds.observe(seconds),
    // A wait the target asked for with Retry-After replaces Knocker's backoff for that retry.
    backoff: (attemptsMade, err, factor) => (err instanceof AttemptFailedError && err.retryAfterMs !== undefined
      ? err.retryAfterMs : retryDelayMs(attemptsMade, factor, config.protocol.backoffFactorMax)),
  });
  return {
    isRunning: () => consumers.isRunning(),
    async close(timeoutMs) {
      flow.stop();
      await consumers.close(timeoutMs);
      agents.http.destroy();
      agents.https.destroy();
      egress?.close();
    },
  };
}
