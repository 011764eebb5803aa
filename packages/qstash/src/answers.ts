import { qstashQueueOf, type Inspection, type ListedRequest, type StoredSchedule } from '@knocker/queue';
import { groupHeaders } from './callback.js';

/** QStash's states for Knocker's: a finished message stays readable here until RETAIN_* removes it. */
const STATES = { waiting: 'CREATED', delayed: 'CREATED', active: 'ACTIVE', delivered: 'DELIVERED', failed: 'FAILED', cancelled: 'CANCELLED' } as const;

/**
 * `GET /v2/messages/<id>` from Knocker's inspection. The stored headers and body are not in
 * the inspection, so `header` and `body` are absent; `state` is Knocker's addition.
 */
export function messageOf(found: Inspection): Record<string, unknown> {
  const { config } = found;
  const createdAt = Date.parse(found.created_at);
  return {
    messageId: found.id,
    url: found.url,
    method: found.method,
    maxRetries: config.retries,
    notBefore: found.not_before === undefined ? createdAt : Date.parse(found.not_before),
    createdAt,
    ...(config.success_callback === undefined ? {} : { callback: config.success_callback }),
    ...(config.callback ? { failureCallback: config.callback } : {}),
    ...(config.flow_key === undefined ? {} : { flowControlKey: config.flow_key }),
    state: STATES[found.state],
  };
}

/** `GET /v2/schedules[/<id>]`: a stored schedule in QStash's shape, times in ms. */
export function scheduleOf(s: StoredSchedule, next: number | null): Record<string, unknown> {
  const { request } = s;
  const { config } = request;
  const body = Buffer.from(request.body, 'base64');
  return {
    scheduleId: s.id,
    cron: s.cron,
    createdAt: s.createdAt,
    destination: request.url,
    method: request.method,
    header: groupHeaders(request.headers.filter(([name]) => name !== 'x-knocker')),
    ...(body.length === 0 ? {} : { body: body.toString('utf8') }),
    retries: config.retries,
    ...(config.success_callback === undefined ? {} : { callback: config.success_callback }),
    ...(config.callback ? { failureCallback: config.callback } : {}),
    isPaused: s.state === 'paused',
    ...(qstashQueueOf(request.orderKey) === undefined ? {} : { queueName: qstashQueueOf(request.orderKey) }),
    ...(next === null ? {} : { nextScheduleTime: next }),
  };
}

/** A failed message as `GET /v2/dlq` lists it: its id is its `dlqId` too, and a retry keeps it. */
export function dlqMessageOf(r: ListedRequest): Record<string, unknown> {
  return {
    dlqId: r.id, messageId: r.id, url: r.url, method: r.method, maxRetries: r.config.retries,
    ...(r.config.success_callback === undefined ? {} : { callback: r.config.success_callback }),
    ...(r.config.callback ? { failureCallback: r.config.callback } : {}),
    ...(r.lastAttempt ? { responseStatus: r.lastAttempt.status_code, createdAt: Date.parse(r.lastAttempt.started_at) } : {}),
    ...(r.group === undefined ? {} : { topicName: r.group }),
    ...(r.schedule === undefined ? {} : { scheduleId: r.schedule }),
    ...(r.labels === undefined || r.labels.length === 0 ? {} : { label: r.labels[0], labels: r.labels }),
    failedAt: r.endedAt,
  };
}
