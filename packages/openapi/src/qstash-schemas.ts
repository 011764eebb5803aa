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
      headers: { type: 'object', additionalProperties: text, description: 'The publish headers of this item (`upstash-*`, `content-type`, `upstash-forward-*`), lower-case.' },
      body: { ...text, description: 'The body, as text.' },
      queue: { ...text, description: 'Refused (400): items go to no queue here.' },
    }),
    QstashMessage: object(['messageId', 'url', 'method', 'maxRetries', 'notBefore', 'createdAt', 'state'], {
      messageId: text, url: text, method: text, maxRetries: count, notBefore: ms, createdAt: ms,
      callback: text, failureCallback: text, flowControlKey: text,
      state: { enum: ['CREATED', 'ACTIVE', 'DELIVERED', 'FAILED', 'CANCELLED'], description: 'Knocker\'s addition: where the message is.' },
    }),
    QstashCancelled: object(['cancelled'], { cancelled: { ...count, description: 'Messages cancelled.' } }),
    QstashSchedule: object(['scheduleId', 'cron', 'createdAt', 'destination', 'method', 'header', 'retries', 'isPaused'], {
      scheduleId: text, cron: text, createdAt: ms, destination: text, method: text, header: headerMap,
      body: { ...text, description: 'Absent when empty.' }, retries: count, callback: text, failureCallback: text, isPaused: { type: 'boolean' },
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
    QstashDlqMessage: object(['dlqId', 'messageId', 'url', 'method', 'maxRetries'], {
      dlqId: { ...text, description: 'The message id: a failed message stays listed under it.' },
      messageId: text, url: text, method: text, maxRetries: count, callback: text, failureCallback: text,
      responseStatus: { type: 'integer', description: 'The last attempt\'s status (999: no answer).' }, createdAt: ms, failedAt: ms,
    }),
    QstashDlqPage: object(['messages'], {
      messages: { type: 'array', items: ref('QstashDlqMessage') },
      cursor: { ...text, description: 'Pass back as `?cursor=` for the next page; absent on the last page.' },
    }),
    QstashRetried: object(['responses'], { responses: { type: 'array', items: object(['messageId'], { messageId: text }) } }),
    QstashDeleted: object(['deleted'], { deleted: count, cursor: { ...text, description: 'Absent when nothing more matches.' } }),
    QstashKeys: object(['current', 'next'], { current: text, next: text }),
    QstashEmpty: { type: 'object', description: 'An empty object: the SDK does not read it.' },
    // The bodies of routes written before they are served (qstash-pending.ts).
    QstashQueue: object(['name', 'createdAt', 'updatedAt', 'parallelism', 'lag', 'paused'], {
      name: text, createdAt: ms, updatedAt: ms, parallelism: { type: 'integer', minimum: 1 }, lag: { ...count, description: 'Messages not delivered yet.' }, paused: { type: 'boolean' },
    }),
    QstashQueueUpsert: object(['queueName'], {
      queueName: { type: 'string', pattern: '^[A-Za-z0-9_.-]+$' }, parallelism: { type: 'integer', minimum: 1, default: 1 }, paused: { type: 'boolean', default: false },
    }),
    QstashEvents: object(['events'], {
      events: { type: 'array', items: object(['time', 'state', 'messageId'], { time: ms, state: text, messageId: text, url: text }) },
      cursor: { ...text, description: 'Absent on the last page.' },
    }),
    QstashFlowControl: object(['flowControlKey', 'waitListSize', 'parallelismMax', 'parallelismCount', 'rateMax', 'rateCount', 'ratePeriod', 'ratePeriodStart', 'isPaused', 'isPinnedParallelism', 'isPinnedRate'], {
      flowControlKey: text, waitListSize: count, parallelismMax: count, parallelismCount: count, rateMax: count, rateCount: count,
      ratePeriod: { ...count, description: 'Seconds.' }, ratePeriodStart: { ...count, description: 'Unix time in seconds.' },
      isPaused: { type: 'boolean' }, isPinnedParallelism: { type: 'boolean' }, isPinnedRate: { type: 'boolean' },
    }),
    QstashGlobalParallelism: object(['parallelismMax', 'parallelismCount'], { parallelismMax: count, parallelismCount: count }),
  };
}
