import type { JsonObject } from './options.js';
import { schemaRef as ref } from './schemas.js';

// The bodies of the QStash door's answers, in QStash's words (camelCase, times in ms). Open
// objects: QStash adds fields over time, and the SDK ignores what it does not know.

const ms: JsonObject = { type: 'integer', minimum: 0, description: 'Unix time in milliseconds.' };
const text: JsonObject = { type: 'string' };
const count: JsonObject = { type: 'integer', minimum: 0 };
const object = (required: string[], properties: Record<string, JsonObject>, description?: string): JsonObject =>
  ({ type: 'object', ...(description ? { description } : {}), required, properties });
const headerMap: JsonObject = { type: 'object', additionalProperties: { type: 'array', items: text }, description: 'Header values by canonical name, `{"Content-Type": ["application/json"]}`.' };
const cursor: JsonObject = { ...text, description: 'Pass back as `?cursor=` while more may match; absent when nothing more does.' };
// What a stored message carries, in a message and a DLQ entry alike.
const carried: Record<string, JsonObject> = {
  header: { ...headerMap, description: 'The headers the destination receives (`Upstash-Forward-` taken off), by canonical name.' },
  body: { ...text, description: 'The body when it is UTF-8; absent when empty.' },
  bodyBase64: { ...text, contentEncoding: 'base64', description: 'The body when it is not UTF-8.' },
  queueName: { ...text, description: 'The queue it was enqueued to.' }, scheduleId: { ...text, description: 'The schedule whose tick it is.' },
  topicName: { ...text, description: 'The URL group it is a copy for.' }, endpointName: { ...text, description: 'The endpoint it is a copy for, when named.' },
  parallelism: { ...count, description: 'From Upstash-Flow-Control-Value.' }, rate: count, period: { ...count, description: 'Seconds.' },
  label: { ...text, description: 'The first label.' }, labels: { type: 'array', items: text },
  retryDelayExpression: { ...text, description: 'Upstash-Retry-Delay, as given.' },
};

export function qstashSchemas(): Record<string, JsonObject> {
  return {
    QstashError: object(['error'], { error: { ...text, description: '`<header or field>: <problem>`, or what was not found.' } }, 'QStash\'s error answer.'),
    QstashPublished: object(['messageId'], {
      messageId: { ...text, description: '`msg_…`; a URL group\'s copy is `<messageId>~~<endpoint name>`.' },
      url: { ...text, description: 'The destination (for a URL group, the endpoint\'s URL).' },
      deduplicated: { const: true, description: 'Present on a duplicate (202): the id is the first message\'s.' },
    }),
    QstashPublishAnswer: {
      oneOf: [ref('QstashPublished'), { type: 'array', items: ref('QstashPublished'), description: 'A URL group: one element per endpoint.' }],
    },
    QstashBatchItem: object(['destination'], {
      destination: { ...text, description: 'A URL or a URL group\'s name.' },
      headers: { type: 'object', additionalProperties: text, maxProperties: 64, description: 'The publish headers of this item (`upstash-*`, `content-type`, `upstash-forward-*`), lower-case.' },
      body: { ...text, description: 'The body, as text.' },
      queue: { ...text, description: 'Enqueue the item to this queue (created if new), as `/v2/enqueue/<queue>/…` does.' },
    }),
    QstashMessage: object(['messageId', 'url', 'method', 'maxRetries', 'notBefore', 'createdAt', 'state'], {
      messageId: text, url: text, method: text, maxRetries: count,
      notBefore: { ...ms, description: 'When it is due: `createdAt` unless delayed.' }, createdAt: ms,
      callback: text, failureCallback: text, flowControlKey: text, ...carried,
      state: { enum: ['CREATED', 'ACTIVE', 'DELIVERED', 'FAILED', 'CANCELLED'], description: 'Knocker\'s addition: where the message is.' },
    }),
    QstashCancelled: object(['cancelled'], { cancelled: { ...count, description: 'Messages cancelled.' } }),
    QstashSchedule: object(['scheduleId', 'cron', 'createdAt', 'destination', 'method', 'header', 'retries', 'isPaused'], {
      scheduleId: text, cron: text, createdAt: ms, destination: text, method: text, header: headerMap,
      body: { ...text, description: 'Absent when empty.' }, retries: count, callback: text, failureCallback: text, isPaused: { type: 'boolean' },
      queueName: { ...text, description: 'The queue each tick is enqueued to.' }, retryDelayExpression: text,
      nextScheduleTime: { ...ms, description: 'When the next tick is due; absent while paused.' },
    }),
    QstashScheduleCreated: object(['scheduleId'], { scheduleId: text }),
    QstashUrlGroup: object(['name', 'createdAt', 'updatedAt', 'endpoints'], {
      name: text, createdAt: ms, updatedAt: ms,
      endpoints: { type: 'array', items: object(['url'], { name: { ...text, description: 'Absent when the endpoint was added without one.' }, url: text }) },
    }),
    QstashEndpoints: object(['endpoints'], {
      endpoints: { type: 'array', minItems: 1, items: { type: 'object', properties: { name: text, url: text }, description: 'Adding: `url`, and `name` if wanted. Removing: `name` or `url`.' } },
    }),
    QstashDlqMessage: object(['dlqId', 'messageId', 'url', 'method', 'maxRetries', 'createdAt'], {
      dlqId: { ...text, description: 'The message id: a failed message stays listed under it.' },
      messageId: text, url: text, method: text, maxRetries: count, callback: text, failureCallback: text,
      responseStatus: { type: 'integer', description: 'The last attempt\'s status (999: no answer).' }, createdAt: ms, failedAt: ms,
      ...carried,
    }, 'A failed message; `header` and the body are absent past the page\'s bound.'),
    QstashDlqPage: object(['messages'], {
      messages: { type: 'array', items: ref('QstashDlqMessage') },
      cursor: { ...text, description: 'Pass back as `?cursor=` for the next page; absent on the last page.' },
    }),
    QstashRetried: object(['responses'], { responses: { type: 'array', items: object(['messageId'], { messageId: text }) }, cursor }),
    QstashDeleted: object(['deleted'], { deleted: count, cursor }),
    QstashKeys: object(['current', 'next'], { current: text, next: text }),
    QstashEmpty: { type: 'object', description: 'An empty object: the SDK does not read it.' },
    QstashQueue: object(['name', 'createdAt', 'updatedAt', 'parallelism', 'lag', 'paused'], {
      name: text, createdAt: ms, updatedAt: ms, parallelism: { const: 1, description: 'A queue delivers one message at a time, in order.' },
      lag: { ...count, description: 'Messages not delivered yet.' }, paused: { type: 'boolean' },
    }),
    QstashQueueUpsert: object(['queueName'], {
      queueName: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' },
      parallelism: { type: 'integer', const: 1, default: 1, description: 'Any other value is refused (400): for more at once, use flow control.' },
      paused: { type: 'boolean', default: false },
    }),
    QstashEvents: object(['events'], {
      events: { type: 'array', items: object(['time', 'state', 'messageId', 'url'], {
        time: ms, state: { enum: ['CREATED', 'ACTIVE', 'RETRY', 'ERROR', 'DELIVERED', 'FAILED', 'CANCELLED'] }, messageId: text, url: text,
        topicName: text, endpointName: text, label: text, labels: { type: 'array', items: text },
        nextDeliveryTime: { ...ms, description: 'When a waiting message is due.' },
        error: { ...text, description: 'What the attempt met, when it failed.' }, responseStatus: { type: 'integer', description: 'Its status (999: no answer).' },
      }) },
      cursor,
    }),
    QstashFlowControl: object(['flowControlKey', 'waitListSize', 'parallelismMax', 'parallelismCount', 'rateMax', 'rateCount', 'ratePeriod', 'ratePeriodStart', 'isPaused', 'isPinnedParallelism', 'isPinnedRate'], {
      flowControlKey: text, waitListSize: count, parallelismMax: count, parallelismCount: count, rateMax: count, rateCount: count,
      ratePeriod: { ...count, description: 'Seconds.' }, ratePeriodStart: { ...count, description: 'Unix time in seconds.' },
      isPaused: { type: 'boolean' }, isPinnedParallelism: { type: 'boolean' }, isPinnedRate: { type: 'boolean' },
    }),
    QstashGlobalParallelism: object(['parallelismMax', 'parallelismCount'], { parallelismMax: count, parallelismCount: count }),
  };
}
