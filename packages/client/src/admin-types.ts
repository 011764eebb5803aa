import type { KnockConfig, RequestState } from './types.js';

/** The answer to a knock with `cron`: a schedule is stored (or replaced), nothing is sent now. */
export interface ScheduleAccepted {
  status: true;
  schedule: { id: string; cron: string; timezone: string; next: string | null; state: ScheduleState };
  /** A schedule with this id existed: its definition is replaced, its state and creation time kept. */
  replaced?: true;
  config: KnockConfig;
  url: string;
  method: string;
  headers: Array<[string, string]>;
  'body-length': number;
}

export type ScheduleState = 'active' | 'paused';

export interface ScheduleSummary {
  id: string;
  /** Knocker-Cron as sent, `CRON_TZ=` included. */
  cron: string;
  /** The IANA zone of the ticks; `UTC` without `CRON_TZ=`. */
  timezone: string;
  state: ScheduleState;
  /** The next tick (ISO time); null while paused. */
  next: string | null;
  method: string;
  url: string;
  created_at: string;
  updated_at: string;
}

export interface ScheduleInspection {
  status: true;
  schedule: ScheduleSummary & { next_ticks: string[]; config: KnockConfig; headers: Array<[string, string]>; 'body-length': number };
  /** The requests of the last ticks, newest first; `gone` once RETAIN_* removed one. */
  last_requests: Array<{ id: string; state: RequestState | 'gone'; created_at: string | null }>;
}

export interface ScheduleStateChange {
  status: true;
  id: string;
  state: ScheduleState;
  next: string | null;
}

export interface ScheduleDeleted {
  status: true;
  id: string;
  state: 'deleted';
}

/** A flow key: a target's host:port, or a Knocker-Flow-Key. */
export interface HostView {
  key: string;
  in_flight: number;
  waiting: number;
  /** The limits the workers last applied; null before any. */
  limits: { concurrency: number; rate: number } | null;
  paused: boolean;
  breaker: { state: 'closed' | 'open' | 'half-open'; consecutive_failures: number; trips: number; until: string | null };
}

export interface HostList {
  status: true;
  /** False when no limit and no breaker is configured. */
  flow_control: boolean;
  defaults: { concurrency: number; rate: number };
  /** Seconds. */
  breaker: { failures: number; cooldown: number; cooldown_max: number };
  /** The busiest keys first, at most 1000. */
  hosts: HostView[];
}

export interface HostPaused {
  status: true;
  key: string;
  paused: boolean;
}

/** An order key's line: the request being attempted (or waiting for its time, a retry or a slot) and how many wait behind it. */
export interface OrderLine {
  status: true;
  key: string;
  /** Null when the line is empty. `state` is absent when the head ended as it was read. */
  head: { id: string; state?: RequestState; since: string } | null;
  waiting: number;
}

/** Which failed requests `requests.retryMany` replays; every filter given must match. */
export interface ReplayFilter {
  /** The target's host, or host:port. */
  host?: string;
  flowKey?: string;
  /** Failed at or after: a Date, unix seconds, or an ISO 8601 date. */
  since?: Date | number | string;
  /** Failed at or before; default a minute from now. */
  until?: Date | number | string;
  /** The status of the last attempt. */
  statusCode?: number;
  /** The fan-out group the request was sent to, and its order key. */
  group?: string;
  orderKey?: string;
  /** At most this many in one call: 1 to 1000, default 100. */
  limit?: number;
}

export interface BulkReplay {
  status: true;
  replayed: number;
  /** More may match: call again. */
  more: boolean;
  ids: string[];
}

/** The body of the filters, as the api reads it. */
export function replayBody(f: ReplayFilter): string {
  const time = (t: Date | number | string | undefined) => (t instanceof Date ? t.toISOString() : t);
  return JSON.stringify({
    host: f.host, flow_key: f.flowKey, since: time(f.since), until: time(f.until), status_code: f.statusCode, group: f.group, order_key: f.orderKey, limit: f.limit,
  });
}
