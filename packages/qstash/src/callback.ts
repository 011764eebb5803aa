import { splitCopyId, type HeaderPair } from '@knocker/protocol';
import type { DeliveryJob, QstashCallbackJob } from '@knocker/queue';

/** What the destination answered on the attempt a callback reports. */
export interface Answered {
  status: number;
  headers: readonly HeaderPair[];
  /** Empty when the answer was not kept (a failure's). */
  body: Buffer;
  /** Retries made before this attempt. */
  retried: number;
}

/**
 * QStash's callback (`failed` false) or failure callback as a job of Knocker's callback
 * queue: QStash's body, sent as JSON and signed like a delivery. The failure callback's
 * `dlqId` is the message id: a failed message stays listed under it.
 */
export function qstashCallback(job: DeliveryJob, answered: Answered, failed: boolean): QstashCallbackJob {
  const { config } = job;
  const payload: Record<string, unknown> = {
    status: answered.status,
    header: groupHeaders(answered.headers),
    body: answered.body.toString('base64'),
    retried: answered.retried,
    maxRetries: config.retries,
    sourceMessageId: config.id,
    url: job.url,
    method: job.method,
    sourceHeader: groupHeaders(job.headers.filter(([name]) => name !== 'x-knocker')),
    sourceBody: job.body,
    notBefore: job.notBefore ?? job.acceptedAt,
    createdAt: job.acceptedAt,
    ...(job.schedule === undefined ? {} : { scheduleId: job.schedule }),
    ...(job.group === undefined ? {} : { topicName: job.group, endpointName: splitCopyId(config.id)?.endpoint }),
    ...(failed ? { dlqId: config.id } : {}),
  };
  const settings = failed ? job.qstash?.failureCallback : job.qstash?.callback;
  return {
    kind: 'qstash', id: config.id, url: (failed ? config.callback : config.success_callback) ?? '',
    headers: [['content-type', 'application/json'], ...(settings?.headers ?? [])], payload,
    ...(settings?.method === undefined ? {} : { method: settings.method }),
    ...(settings?.retryDelay === undefined ? {} : { retryDelay: settings.retryDelay }),
    backoff_factor: config.backoff_factor, timeout: settings?.timeout ?? config.timeout,
  };
}

/**
 * The callback job's own attempts and delay where the publish gave `Upstash-Callback-Retries`
 * or `-Delay` (or the failure callback's), laid over the options taken from the message.
 */
export function qstashCallbackTiming(job: DeliveryJob, failed: boolean): { attempts?: number; delay?: number } {
  const settings = failed ? job.qstash?.failureCallback : job.qstash?.callback;
  return {
    ...(settings?.retries === undefined ? {} : { attempts: settings.retries + 1 }),
    ...(settings?.delay === undefined || settings.delay === 0 ? {} : { delay: Math.round(settings.delay * 1000) }),
  };
}

/** `{Name: [values]}` as QStash writes headers, names in canonical case. */
export function groupHeaders(pairs: readonly HeaderPair[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of pairs) {
    const canonical = name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
    (out[canonical] ??= []).push(value);
  }
  return out;
}
