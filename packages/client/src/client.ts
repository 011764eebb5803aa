import type { GroupAccepted, GroupDuplicate, GroupKnockOptions } from './group-types.js';
import { groupRoutes, type GroupRoutes } from './groups.js';
import { controlHeaders, knockerHeaders, type HeadersInput, type KnockBody, type KnockOptions } from './options.js';
import { retryDefaults, send, type Call, type RequestBody, type RetryOptions, type TransportOptions } from './transport.js';
import {
  replayBody, type BulkReplay, type HostList, type HostPaused, type ReplayFilter, type ScheduleAccepted, type ScheduleDeleted, type ScheduleInspection,
  type ScheduleStateChange, type ScheduleSummary,
} from './admin-types.js';
import type { Inspection, KnockAccepted, KnockDuplicate, KnockerStatus, LogAppended, StateChange } from './types.js';

export interface KnockerOptions {
  /** The api: `http://localhost:8000`, or behind a proxy with a path of its own. */
  url: string;
  /** Knocker-Api-Key, when the api has KNOCKER_API_KEYS. */
  apiKey?: string;
  /** Knocker-Admin-Key, for `requests.*`, `schedules.*`, `groups.*` and `hosts.*`. */
  adminKey?: string;
  /** Off by default. On, 503, 429 and network errors are retried; a knock then always carries an id, so it is never stored twice. */
  retry?: boolean | RetryOptions;
  /** Per call, including reading the answer. Default 10000. */
  timeoutMs?: number;
  /** RESERVED_PREFIX of the api. Default `/knocker`. */
  reservedPrefix?: string;
  /** STATUS_URL of the api. Default `/knocker/status`. */
  statusUrl?: string;
  /** Default: the global fetch. */
  fetch?: typeof fetch;
}

/** A client of one Knocker api. */
export class Knocker {
  readonly requests: {
    /** Everything known about a stored request: state, attempts, logs, callback. */
    get(id: string): Promise<Inspection>;
    /** Replays a failed request with a full set of attempts. */
    retry(id: string): Promise<StateChange>;
    /** Cancels a waiting or delayed request. */
    cancel(id: string): Promise<StateChange>;
    /** The log lines of a request. */
    logs(id: string): Promise<string[]>;
    /** Adds a line to a request's log (what a target does with the x-knocker-id it received). */
    log(id: string, line: string): Promise<LogAppended>;
    /** Replays the failed requests that match, oldest failure first, at most `limit` (100) a call. */
    retryMany(filter?: ReplayFilter): Promise<BulkReplay>;
  };
  /** The schedules stored by knocks with `cron`. */
  readonly schedules: {
    list(): Promise<ScheduleSummary[]>;
    /** Its definition, the request a tick sends, the next ticks and the requests of the last ones. */
    get(id: string): Promise<ScheduleInspection>;
    /** No further tick; requests of past ticks are kept. */
    remove(id: string): Promise<ScheduleDeleted>;
    pause(id: string): Promise<ScheduleStateChange>;
    resume(id: string): Promise<ScheduleStateChange>;
  };
  /** Fan-out groups: named lists of endpoints `knockGroup` sends a copy to each. */
  readonly groups: GroupRoutes;
  /** Flow keys (a target's host:port, or a flowKey): their work, limits, breaker and pause. */
  readonly hosts: {
    list(): Promise<HostList>;
    /** Attempts under way finish; new and retried requests to the key wait until it is resumed. */
    pause(key: string): Promise<HostPaused>;
    resume(key: string): Promise<HostPaused>;
  };
  readonly #transport: TransportOptions;
  readonly #options: KnockerOptions;
  readonly #prefix: string;

  constructor(options: KnockerOptions) {
    if (!URL.canParse(options.url)) throw new TypeError(`Knocker: url must be an absolute URL, got ${JSON.stringify(options.url)}`);
    this.#options = options;
    this.#prefix = (options.reservedPrefix ?? '/knocker').replace(/\/+$/, '');
    this.#transport = { url: options.url, retry: retryDefaults(options.retry), timeoutMs: options.timeoutMs ?? 10_000, fetch: options.fetch ?? globalThis.fetch };
    const path = (id: string, rest = '', under = 'requests') => `${this.#prefix}/${under}/${encodeURIComponent(id)}${rest}`;
    this.requests = {
      get: (id) => this.#admin<Inspection>({ method: 'GET', path: path(id), retryable: true }),
      retry: (id) => this.#admin<StateChange>({ method: 'POST', path: path(id, '/retry'), retryable: false }),
      cancel: (id) => this.#admin<StateChange>({ method: 'DELETE', path: path(id), retryable: false }),
      logs: async (id) => (await this.requests.get(id)).logs,
      log: (id, line) => this.#send<LogAppended>({
        method: 'POST', path: `${this.#prefix}/log?id=${encodeURIComponent(id)}`, headers: this.#adminHeader(), body: line, retryable: false,
      }),
      retryMany: (filter = {}) => this.#send<BulkReplay>({
        method: 'POST', path: `${this.#prefix}/requests/retry`, headers: [...this.#adminHeader(), ['content-type', 'application/json']], body: replayBody(filter), retryable: false,
      }),
    };
    const schedule = (id: string, rest = '') => path(id, rest, 'schedules');
    this.schedules = {
      list: async () => (await this.#admin<{ schedules: ScheduleSummary[] }>({ method: 'GET', path: `${this.#prefix}/schedules`, retryable: true })).schedules,
      get: (id) => this.#admin<ScheduleInspection>({ method: 'GET', path: schedule(id), retryable: true }),
      remove: (id) => this.#admin<ScheduleDeleted>({ method: 'DELETE', path: schedule(id), retryable: false }),
      // Pausing twice is pausing once: safe to send again.
      pause: (id) => this.#admin<ScheduleStateChange>({ method: 'POST', path: schedule(id, '/pause'), retryable: true }),
      resume: (id) => this.#admin<ScheduleStateChange>({ method: 'POST', path: schedule(id, '/resume'), retryable: true }),
    };
    this.groups = groupRoutes(`${this.#prefix}/groups`, <T>(call: Call) => this.#send<T>({ ...call, headers: [...this.#adminHeader(), ...(call.headers ?? [])] }));
    this.hosts = {
      list: () => this.#admin<HostList>({ method: 'GET', path: `${this.#prefix}/hosts`, retryable: true }),
      pause: (key) => this.#admin<HostPaused>({ method: 'POST', path: path(key, '/pause', 'hosts'), retryable: true }),
      resume: (key) => this.#admin<HostPaused>({ method: 'POST', path: path(key, '/resume', 'hosts'), retryable: true }),
    };
  }

  /**
   * Hands a request to Knocker; resolves once it is stored, with what will be delivered. With
   * `cron`, a schedule is stored instead, which sends the request at every tick.
   */
  knock(options: KnockOptions & { cron: string }): Promise<ScheduleAccepted>;
  knock(options: KnockOptions & { cron?: undefined }): Promise<KnockAccepted | KnockDuplicate>;
  knock(options: KnockOptions): Promise<KnockAccepted | KnockDuplicate | ScheduleAccepted>;
  async knock(options: KnockOptions): Promise<KnockAccepted | KnockDuplicate | ScheduleAccepted> {
    const target = new URL(options.url);
    return this.#relay(options, `${target.pathname}${target.search}`, (id) => knockerHeaders({ ...options, ...(id === undefined ? {} : { id }) }));
  }

  /**
   * Hands a request to Knocker for every endpoint of a group: one copy each, stored in one
   * step, each with its own id (`<id>~~<endpoint>`), attempts and callbacks.
   */
  knockGroup(group: string, options: GroupKnockOptions = {}): Promise<GroupAccepted | GroupDuplicate> {
    const path = options.path ?? '/';
    if (!path.startsWith('/')) throw new TypeError(`path must start with /, got ${JSON.stringify(path)}`);
    return this.#relay(options, path, (id) => [['Knocker-Group', group], ...controlHeaders({ ...options, ...(id === undefined ? {} : { id }) })]);
  }

  #relay<T>(options: Omit<KnockOptions, 'url'>, path: string, control: (id: string | undefined) => Array<[string, string]>): Promise<T> {
    const lower = path.toLowerCase();
    const prefix = this.#prefix.toLowerCase();
    if (lower === prefix || lower.startsWith(`${prefix}/`) || lower.startsWith(`${prefix}?`)) {
      throw new TypeError(`Knocker answers every path under ${this.#prefix} itself: a target path there cannot be relayed`);
    }
    // With retries on, the id is fixed before the first attempt: a retry whose first try was
    // stored after all is then answered as a duplicate instead of being stored again.
    const id = options.id ?? (this.#transport.retry ? crypto.randomUUID().replaceAll('-', '') : undefined);
    const { body, contentType } = encodeBody(options.body);
    const own = pairs(options.headers);
    const headers: Array<[string, string]> = [
      ...own.filter(([name]) => !name.toLowerCase().startsWith('knocker-')),
      ...(contentType && !own.some(([n]) => n.toLowerCase() === 'content-type') ? [['content-type', contentType] as [string, string]] : []),
      ...control(id),
      ...(this.#options.apiKey ? [['Knocker-Api-Key', this.#options.apiKey] as [string, string]] : []),
    ];
    return this.#send<T>({ method: (options.method ?? 'POST').toUpperCase(), path, headers, body, retryable: true });
  }

  /** The status page: version, totals and queue counts. */
  status(): Promise<KnockerStatus> {
    return this.#send<KnockerStatus>({ method: 'GET', path: this.#options.statusUrl ?? `${this.#prefix}/status`, retryable: true });
  }

  #adminHeader(): Array<[string, string]> {
    return this.#options.adminKey ? [['Knocker-Admin-Key', this.#options.adminKey]] : [];
  }

  #admin<T>(call: Call): Promise<T> {
    return this.#send<T>({ ...call, headers: this.#adminHeader() });
  }

  #send<T>(call: Call): Promise<T> {
    return send<T>(this.#transport, call);
  }
}

function pairs(headers: HeadersInput | undefined): Array<[string, string]> {
  if (headers === undefined) return [];
  if (headers instanceof Headers) return [...headers.entries()];
  return Array.isArray(headers) ? headers : Object.entries(headers);
}

function encodeBody(body: KnockBody | undefined): { body: RequestBody | undefined; contentType?: string } {
  if (body === undefined) return { body: undefined };
  if (typeof body === 'string' || body instanceof Uint8Array || body instanceof ArrayBuffer || body instanceof Blob || body instanceof URLSearchParams || body instanceof ReadableStream) {
    return { body: body as RequestBody };
  }
  return { body: JSON.stringify(body), contentType: 'application/json' };
}
