import { createHash, randomUUID } from 'node:crypto';
import { KNOCKER_VERSION, checkFlowKey, checkGroupName, type CronSpec, type HeaderPair, type ProtocolLimits } from '@knocker/protocol';
import { qstashQueueOrderKey, type DeliveryJob } from '@knocker/queue';
import { QstashRequestError } from './errors.js';
import { readCallbackSettings } from './callback-settings.js';
import { readFlowControlValue } from './flow-value.js';
import { readRetryDelay } from './retry-delay.js';
import { readHeaders } from './headers.js';
import { readInteger, readNotBefore, readSchedule, readSeconds, readUrl } from './values.js';
import { topicOf } from './url-groups.js';

/** A publish as the SDK sends it: the destination taken raw from the path, with its query. */
export interface PublishInput {
  destination: string;
  /** Node's `rawHeaders`, or a batch item's headers flattened the same way. */
  rawHeaders: readonly string[];
  body: Buffer;
  /** The queue of an enqueue (its path, or a batch item's `queue`): the message waits its turn in it. */
  queue?: string | undefined;
}

export interface Publish {
  job: DeliveryJob;
  /** The URL group named instead of a URL: its endpoints give the copies' targets. */
  topic?: string;
  /** For a schedule: `Upstash-Cron` read, and `Upstash-Schedule-Id` or a new id. */
  schedule?: { id: string; cron: CronSpec };
  /** The id came from a deduplication id or the content: the store must check it. */
  deduplicate: boolean;
  /** The queue it was enqueued to: its job carries the queue's order key. */
  queue?: string;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD']);
// QStash's default; Knocker's own RETRIES is for its native requests.
const DEFAULT_RETRIES = 3;
// Headers the door cannot honour yet: refused by name, never ignored silently.
const NOT_SUPPORTED: Record<string, string> = {
  'upstash-redact-fields': 'is not supported here: nothing is redacted',
  'upstash-cron': 'is for POST /v2/schedules only',
  'upstash-queue-name': 'is for POST /v2/schedules only: enqueue with POST /v2/enqueue/<queue>/<destination>, or a batch item\'s queue',
};
// A schedule names its queue by header; an enqueue by its path, a batch item by its field.
const SCHEDULES_ONLY = new Set(['upstash-cron', 'upstash-queue-name']);

/**
 * Turns a QStash publish into the request Knocker stores. Every problem is named by its
 * header (a 400); a deduplication id or `Upstash-Content-Based-Deduplication` makes the
 * message id a hash, so a second publish finds the first one in the store.
 */
export function readPublish(input: PublishInput, limits: ProtocolLimits, now = Date.now(), asSchedule = false): Publish {
  const errors: Record<string, string> = {};
  const h = readHeaders(input.rawHeaders, errors);
  for (const [name, why] of Object.entries(NOT_SUPPORTED)) if (h.control.has(name) && !(asSchedule && SCHEDULES_ONLY.has(name))) errors[name] = why;
  const schedule = asSchedule ? readSchedule(h, now, errors) : undefined;
  if (!asSchedule && h.control.has('upstash-schedule-id')) errors['upstash-schedule-id'] = 'is for POST /v2/schedules only';
  const callbackSettings = readCallbackSettings(h, limits, errors);

  const queue = asSchedule ? h.control.get('upstash-queue-name') : input.queue;
  const queueProblem = queue === undefined ? undefined : checkGroupName(queue);
  if (queueProblem !== undefined) errors[asSchedule ? 'upstash-queue-name' : 'queue'] = queueProblem;
  const topic = topicOf(input.destination);
  const url = topic === undefined ? readUrl('destination', input.destination, limits, errors, true) : '';
  const method = (h.control.get('upstash-method') ?? 'POST').toUpperCase();
  if (!METHODS.has(method)) errors['upstash-method'] = `must be one of ${[...METHODS].join(', ')}`;
  const retries = readInteger(h, 'upstash-retries', Math.min(DEFAULT_RETRIES, limits.retriesMax), limits.retriesMax, errors);
  const retryDelay = readRetryDelay(h, 'upstash-retry-delay', errors);
  const timeout = readSeconds(h, 'upstash-timeout', limits.timeout, limits.timeoutMax, errors);
  const notBefore = readNotBefore(h, now, limits.delayMax ?? 7 * 86400, errors);
  const callback = h.control.has('upstash-callback') ? readUrl('upstash-callback', h.control.get('upstash-callback') ?? '', limits, errors) : undefined;
  const failure = h.control.has('upstash-failure-callback')
    ? readUrl('upstash-failure-callback', h.control.get('upstash-failure-callback') ?? '', limits, errors) : undefined;
  const flowKey = h.control.get('upstash-flow-control-key');
  const flowProblem = flowKey === undefined ? undefined : checkFlowKey(flowKey);
  if (flowProblem !== undefined) errors['upstash-flow-control-key'] = flowProblem;
  const flowRaw = h.control.get('upstash-flow-control-value');
  const flowValue = flowRaw === undefined ? undefined : readFlowControlValue(flowRaw, errors);
  if (flowRaw !== undefined && flowKey === undefined) errors['upstash-flow-control-value'] ??= 'needs Upstash-Flow-Control-Key';
  const labels = h.control.get('upstash-label')?.split(',').map((l) => l.trim()).filter((l) => l !== '');
  if (labels?.some((l) => !/^[A-Za-z0-9_.-]{1,64}$/.test(l))) errors['upstash-label'] = 'must be labels of 1 to 64 letters, digits, _ . or -, comma-separated';
  const dedupId = h.control.get('upstash-deduplication-id');
  if (dedupId !== undefined && (dedupId === '' || dedupId.length > 256)) errors['upstash-deduplication-id'] = 'must be 1 to 256 characters';
  const byContent = h.control.get('upstash-content-based-deduplication');
  if (byContent !== undefined && byContent !== 'true' && byContent !== 'false') errors['upstash-content-based-deduplication'] = 'must be true or false';
  if (Object.keys(errors).length > 0) throw new QstashRequestError(errors);

  const headers: HeaderPair[] = [...h.forward, ['x-knocker', KNOCKER_VERSION]];
  const deduplicate = dedupId !== undefined || byContent === 'true';
  const id = dedupId !== undefined ? hashedId(['id', dedupId])
    : byContent === 'true' ? hashedId(['content', url, method, input.body.toString('base64'), ...h.forward.map(([n, v]) => `${n}:${v}`)])
      : `msg_${randomUUID().replaceAll('-', '')}`;
  // A URL group's copies get their targets from its endpoints (topicCopies).
  const parsed = topic === undefined ? new URL(url) : { host: '', protocol: 'https:' };
  const job: DeliveryJob = {
    config: {
      id, host: parsed.host, scheme: parsed.protocol === 'https:' ? 'https' : 'http', timeout, retries, backoff_factor: limits.backoffFactor,
      callback: failure ?? null,
      ...(callback === undefined ? {} : { success_callback: callback }),
      ...(flowKey === undefined ? {} : { flow_key: flowKey }),
    },
    method, url, headers, body: input.body.toString('base64'), acceptedAt: now,
    qstash: {
      ...(labels && labels.length > 0 ? { labels } : {}),
      ...(retryDelay === undefined ? {} : { retryDelay }),
      ...callbackSettings,
      // Marks the message for flow control even when Knocker's own is off (see QstashTraits).
      ...(flowKey === undefined ? {} : { flow: flowValue ?? {} }),
    },
  };
  if (notBefore !== undefined) job.notBefore = notBefore;
  if (queue === undefined) {
    if (schedule) return { job, deduplicate: false, schedule };
    return topic === undefined ? { job, deduplicate } : { job, deduplicate, topic };
  }
  job.orderKey = qstashQueueOrderKey(queue);
  if (schedule) return { job, deduplicate: false, schedule, queue };
  return topic === undefined ? { job, deduplicate, queue } : { job, deduplicate, topic, queue };
}

function hashedId(parts: string[]): string {
  return `msg_${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 40)}`;
}
