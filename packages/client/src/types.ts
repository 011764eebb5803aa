/** How a request is delivered, as the api answers it (`config`). */
export interface KnockConfig {
  id: string;
  host: string;
  scheme: 'http' | 'https';
  timeout: number;
  retries: number;
  backoff_factor: number;
  callback: string | null;
  /** Knocker-Catch patterns; absent when not given. */
  catch?: string[];
  /** Knocker-Flow-Key; absent when not given. */
  flow_key?: string;
  /** Knocker-Success-Callback; absent when not given. */
  success_callback?: string;
  /** Knocker-Retry-On entries, lower case; absent when not given. */
  retry_on?: string[];
  /** Any other Knocker-* header sent with the request. */
  [custom: `knocker-${string}`]: string;
}

/** The answer to a relayed request: it is stored and will be delivered. */
export interface KnockAccepted {
  status: true;
  duplicate?: undefined;
  config: KnockConfig;
  url: string;
  method: string;
  /** Exactly the headers the target receives, as `[name, value]` pairs. */
  headers: Array<[string, string]>;
  'body-length': number;
  /** With a delay: when the first attempt may start (ISO time). */
  not_before?: string;
  /** With an orderKey: the line the request waits in. */
  order_key?: string;
}

export type RequestState = 'waiting' | 'delayed' | 'active' | 'delivered' | 'failed' | 'cancelled';

/**
 * The answer to a request whose id was still known: nothing was stored. It tells where the
 * stored request is, never what its sender sent.
 */
export interface KnockDuplicate {
  status: true;
  duplicate: true;
  id: string;
  state: RequestState;
}

export interface Attempt {
  attempt: number;
  started_at: string;
  duration_ms: number;
  status_code: number;
  error: string | null;
  error_code: string | null;
  error_message: string | null;
}

export interface Inspection {
  status: true;
  id: string;
  state: RequestState;
  method: string;
  url: string;
  config: KnockConfig;
  created_at: string;
  /** A delayed request: when its first attempt may start. */
  not_before?: string;
  /** A copy of a group request: the group it was sent to. */
  group?: string;
  replays: number;
  attempts: Attempt[];
  logs: string[];
  callback: CallbackProgress | null;
  /** With a success callback: the call made once the request is delivered. */
  success_callback?: CallbackProgress;
}

export interface CallbackProgress {
  url: string;
  /** `none` until there is a callback to send. */
  state: 'none' | 'pending' | 'sent' | 'failed';
  attempts: number;
}

export interface StateChange {
  status: true;
  id: string;
  state: RequestState;
}

export interface LogAppended {
  status: true;
  id: string;
  lines: number;
}

export interface KnockerStatus {
  status: true;
  version: string;
  /** The answering api process, `host:pid`. */
  worker: string;
  /** Requests not finished yet. */
  tasks: number;
  processed: number;
  delivered: number;
  failed: number;
  queues: { requests: Record<string, number>; callbacks: Record<string, number> };
  /** Stored schedules, running and paused. */
  schedules: { active: number; paused: number };
}

/** What Knocker POSTs to Knocker-Callback when every attempt failed. */
export interface FailureCallback {
  config: Omit<KnockConfig, 'callback'>;
  method: string;
  url: string;
  status_code: number;
  attempts: number;
  /** Knocker's reason, or a TLS certificate failure's code such as `CERT_HAS_EXPIRED`. */
  error?: 'address_refused' | 'redirect_refused' | 'worker_lost' | 'no_retry' | 'outside_retry_on' | 'token_unavailable' | (string & {});
  error_code?: string;
  error_message?: string | null;
}

/** What Knocker POSTs to Knocker-Success-Callback once the request is delivered. */
export interface SuccessCallback {
  id: string;
  url: string;
  method: string;
  status_code: number;
  attempts: number;
  duration_ms: number;
  /** The target's answer headers, lower-case names. */
  headers: Array<[string, string]>;
  /** The target's answer body, base64, at most SUCCESS_CALLBACK_MAX_BODY bytes. */
  body: string;
  body_truncated: boolean;
}

/** The states after which nothing more happens to a request unless it is replayed. */
export const FINAL_STATES: readonly RequestState[] = ['delivered', 'failed', 'cancelled'];
