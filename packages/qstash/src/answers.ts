import { isUtf8 } from 'node:buffer';
import { splitCopyId } from '@knocker/protocol';
import { qstashQueueOf, type Inspection, type ListedRequest, type StoredRequest, type StoredSchedule } from '@knocker/queue';
import { groupHeaders } from './callback.js';
import { nameOf } from './url-groups.js';

/** QStash's states for Knocker's: a finished message stays readable here until RETAIN_* removes it. */
const STATES = { waiting: 'CREATED', delayed: 'CREATED', active: 'ACTIVE', delivered: 'DELIVERED', failed: 'FAILED', cancelled: 'CANCELLED' } as const;

/**
 * `GET /v2/messages/<id>` from Knocker's inspection and what the request carries (absent when
 * the job went between the two reads); `state` is Knocker's addition.
 */
export function messageOf(found: Inspection, stored = found.request): Record<string, unknown> {
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
    ...(stored === undefined ? {} : carriedOf(found.id, found.url, stored)),
    state: STATES[found.state],
  };
}

/**
 * A message's headers (QStash's `{Name: [values]}`, the forwarded ones without their prefix),
 * body (`bodyBase64` when not UTF-8) and the QStash settings its job kept.
 */
export function carriedOf(id: string, url: string, r: StoredRequest): Record<string, unknown> {
  const body = Buffer.from(r.body, 'base64');
  const queueName = qstashQueueOf(r.orderKey);
  const endpoint = r.group === undefined ? undefined : splitCopyId(id)?.endpoint;
  const flow = r.qstash?.flow;
  const labels = r.qstash?.labels;
  return {
    header: groupHeaders(r.headers.filter(([name]) => name !== 'x-knocker')),
    ...(body.length === 0 ? {} : isUtf8(body) ? { body: body.toString('utf8') } : { bodyBase64: r.body }),
    ...(queueName === undefined ? {} : { queueName }),
    ...(r.schedule === undefined ? {} : { scheduleId: r.schedule }),
    ...(r.group === undefined ? {} : { topicName: r.group }),
    // An endpoint added without a name was named after its URL: QStash shows it without one.
    ...(endpoint === undefined || endpoint === nameOf(url) ? {} : { endpointName: endpoint }),
    ...(flow?.parallelism === undefined ? {} : { parallelism: flow.parallelism }),
    ...(flow?.rate === undefined ? {} : { rate: flow.rate }),
    ...(flow?.period === undefined ? {} : { period: flow.period }),
    ...(labels === undefined || labels.length === 0 ? {} : { label: labels[0], labels }),
    ...(r.qstash?.retryDelay === undefined ? {} : { retryDelayExpression: r.qstash.retryDelay }),
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
    ...(request.qstash?.retryDelay === undefined ? {} : { retryDelayExpression: request.qstash.retryDelay }),
    ...(next === null ? {} : { nextScheduleTime: next }),
  };
}

/** A failed message as `GET /v2/dlq` lists it: its id is its `dlqId` too, and a retry keeps it. */
export function dlqMessageOf(r: ListedRequest): Record<string, unknown> {
  return {
    dlqId: r.id, messageId: r.id, url: r.url, method: r.method, maxRetries: r.config.retries,
    ...(r.config.success_callback === undefined ? {} : { callback: r.config.success_callback }),
    ...(r.config.callback ? { failureCallback: r.config.callback } : {}),
    createdAt: r.acceptedAt,
    ...(r.lastAttempt ? { responseStatus: r.lastAttempt.status_code } : {}),
    ...(r.group === undefined ? {} : { topicName: r.group }),
    ...(r.schedule === undefined ? {} : { scheduleId: r.schedule }),
    ...(r.labels === undefined || r.labels.length === 0 ? {} : { label: r.labels[0], labels: r.labels }),
    failedAt: r.endedAt,
  };
}
