import { Counter, Gauge, type Registry } from 'prom-client';

export interface ScheduleMetrics {
  /** `fired`: a tick became a request; `skipped`: its schedule was paused or deleted meanwhile. */
  ticks: Counter<'outcome'>;
}

/** Counted by the worker process that ran the tick. */
export function createScheduleMetrics(registry: Registry): ScheduleMetrics {
  return {
    ticks: new Counter({ name: 'knocker_schedule_ticks_total', help: 'Ticks of schedules by outcome (fired, skipped)', labelNames: ['outcome'], registers: [registry] }),
  };
}

/**
 * Schedules by state, read from Redis at scrape time; `read` returns undefined in the replicas
 * that do not publish Knocker's queue-wide gauges, so each schedule is counted once.
 */
export function createScheduleGauge(registry: Registry, read: () => Promise<Record<string, number> | undefined>): void {
  void new Gauge({ name: 'knocker_schedules', help: 'Schedules by state (active, paused)', labelNames: ['state'], registers: [registry],
    async collect() {
      this.reset();
      for (const [state, n] of Object.entries((await read()) ?? {})) this.set({ state }, n);
    } });
}
