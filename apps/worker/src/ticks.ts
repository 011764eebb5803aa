import type { Job } from 'bullmq';
import type { ScheduleMetrics } from '@knocker/metrics';
import { tickDueMs, tickRequestId, type DeliveryJob, type RequestStore, type Schedules, type TickJob } from '@knocker/queue';
import type { Logger } from '@knocker/telemetry';
import type { Tracing } from '@knocker/tracing';

export interface TickDeps {
  schedules: Pick<Schedules, 'get' | 'recordTick'>;
  /** Where the tick's request is stored, as any other request. */
  store: Pick<RequestStore, 'add'>;
  logger: Logger;
  /** Each tick that fires starts a trace; its request's attempts are in it. */
  tracing: Tracing;
  ticks: Pick<ScheduleMetrics['ticks'], 'inc'>;
}

export type TickOutcome = { request: string } | { skipped: 'paused' | 'removed' };

/**
 * Turns a tick into an ordinary request. Its id comes from the schedule and the tick's due
 * time, and BullMQ does not add a job whose id it holds: a tick retried after a crash adds
 * nothing twice. The definition is read now, so a replaced schedule sends what it says now.
 */
export function createTickProcessor(deps: TickDeps) {
  return async function processTick(job: Job<TickJob>): Promise<TickOutcome> {
    const id = job.data.schedule;
    const schedule = await deps.schedules.get(id);
    // Pausing or removing takes the job scheduler away, but a tick may already be on its way.
    if (!schedule || schedule.state === 'paused') {
      deps.ticks.inc({ outcome: 'skipped' });
      return { skipped: schedule ? 'paused' : 'removed' };
    }
    const due = tickDueMs(job);
    const { request } = schedule;
    const config = { ...request.config, id: tickRequestId(id, due) };
    const data: DeliveryJob = { ...request, config, acceptedAt: Date.now(), schedule: id };
    const span = deps.tracing.startSpan('tick', deps.tracing.enabled ? { kind: 'internal', attributes: { 'knocker.schedule': id, 'knocker.id': config.id } } : undefined);
    if (span.traceparent !== undefined) data.trace = span.traceparent;
    await deps.store.add(data).finally(() => span.end());
    await deps.schedules.recordTick(id, config.id);
    deps.ticks.inc({ outcome: 'fired' });
    deps.logger.info(`Schedule ${id}: tick of ${new Date(due).toISOString()} is request #${config.id}`, span.logIds);
    return { request: config.id };
  };
}
