import type { JsonObject, OpenApiOptions } from './options.js';
import {
  DOOR_QUEUES_MAX, RAW, bodyTooLarge, destinationParam, doorResponses, flowFull, header, op, param, queueName, refusal, security, tags,
} from './qstash-shared.js';
import { json, response } from './responses.js';
import { schemaRef as ref } from './schemas.js';

// The routes that store messages: publish, enqueue and batch, with the headers they read.

const RETRY_DELAY = 'An expression of `retried` (the retries made so far) in ms, at most 256 characters: numbers, `+ - * / ( ) ,`, pow, sqrt, abs, exp, floor, ceil, round, min, max (`1000 * pow(2, retried)`). Evaluated at each failed attempt; when it gives no number the usual backoff applies.';

/** The callback settings of `Upstash-<kind>`: they shape the callback's own delivery. */
function callbackSettings(kind: 'Callback' | 'Failure-Callback', o: OpenApiOptions): JsonObject[] {
  const of = `of the ${kind === 'Callback' ? 'callback' : 'failure callback'}; only with Upstash-${kind}.`;
  return [
    header(`Upstash-${kind}-Method`, `The method ${of}`, { enum: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'], default: 'POST' }),
    header(`Upstash-${kind}-Timeout`, `Each attempt's timeout ${of} A duration of at most ${o.timeoutMax} seconds.`),
    header(`Upstash-${kind}-Retries`, `Retries ${of} 0 to ${o.retriesMax}.`, { type: 'string', pattern: '^\\d{1,6}$', default: '0' }),
    header(`Upstash-${kind}-Delay`, `The wait before the first attempt ${of} A duration of at most ${o.delayMax} seconds.`),
    header(`Upstash-${kind}-Retry-Delay`, `The wait between attempts ${of} ${RETRY_DELAY}`),
  ];
}

/** The headers a publish (and a batch item, a schedule, an enqueue) reads; docs/qstash.md says what each does here. */
export function publishHeaders(o: OpenApiOptions): JsonObject[] {
  return [
    header('Upstash-Method', 'The method the destination receives.', { enum: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'], default: 'POST' }),
    header('Upstash-Delay', `A duration (\`10s\`, \`5m\`, \`1d10h30m\`), at most ${o.delayMax} seconds (DELAY_MAX).`),
    header('Upstash-Not-Before', 'Unix seconds; wins over Upstash-Delay.', { type: 'string', pattern: '^\\d{1,12}$' }),
    header('Upstash-Retries', `Retries after the first attempt, 0 to ${o.retriesMax} (RETRIES_MAX).`, { type: 'string', pattern: '^\\d{1,6}$', default: '3' }),
    header('Upstash-Retry-Delay', `The wait before each retry, instead of the backoff. ${RETRY_DELAY}`, { type: 'string', minLength: 1, maxLength: 256 }),
    header('Upstash-Timeout', `Each attempt's timeout, a duration of at most ${o.timeoutMax} seconds (TIMEOUT_MAX).`),
    header('Upstash-Callback', 'A URL called once the message is delivered, with QStash\'s callback body. `Upstash-Callback-Forward-<H>` sends `<H>` to it (not Content-Type); an `Upstash-Callback-*` setting not listed here is refused (400).'),
    ...callbackSettings('Callback', o),
    header('Upstash-Failure-Callback', 'A URL called once every attempt failed, with QStash\'s callback body and `dlqId`. `Upstash-Failure-Callback-Forward-<H>` sends `<H>` to it.'),
    ...callbackSettings('Failure-Callback', o),
    header('Upstash-Deduplication-Id', '1 to 256 characters: a second publish with it answers 202 with the first message\'s id.'),
    header('Upstash-Content-Based-Deduplication', 'The id is a hash of destination, method, body and forwarded headers.', { enum: ['true', 'false'] }),
    header('Upstash-Flow-Control-Key', 'Knocker\'s flow key: HOST_LIMITS, HOST_CONCURRENCY and HOST_RATE apply to it, and its own limits.'),
    header('Upstash-Flow-Control-Value', '`parallelism=<n>, rate=<n>, period=<d>`, with the key: the key\'s own limits from now on (but those pinned); the last message sets them.'),
    header('Upstash-Label', 'Comma-separated labels of 1 to 64 letters, digits, `_`, `.` or `-`; kept with the message, a filter of the logs, DLQ and bulk cancel.'),
    header('Upstash-Redact-Fields', 'Refused (400): nothing is redacted here.'),
    header('Upstash-Queue-Name', 'Refused (400) but on a schedule: enqueue with `/v2/enqueue/<queue>/<destination>` or a batch item\'s `queue`.'),
  ];
}

/** The answers of anything that stores one message per destination. */
function storeResponses(o: OpenApiOptions, own: Record<string, JsonObject>): Record<string, JsonObject> {
  return doorResponses({
    '404': refusal('The destination names a URL group that does not exist.'),
    '409': flowFull(),
    '413': bodyTooLarge(o),
    ...own,
  });
}

function publishBody(o: OpenApiOptions): JsonObject {
  return { description: `Any bytes, at most ${o.maxBodySize} (MAX_BODY_SIZE), delivered byte for byte with its Content-Type.`, content: { '*/*': { schema: {} } } };
}

/** A POST whose destination is pasted raw after its path. */
function rawPost(o: OpenApiOptions, operationId: string, summary: string, description: string, own: Record<string, JsonObject>): JsonObject {
  return {
    operationId, tags, security, ...RAW, summary, description, requestBody: publishBody(o),
    responses: storeResponses(o, {
      '200': json('Stored before this answer: `{messageId, url}`, or one per endpoint of a URL group.', ref('QstashPublishAnswer')),
      '202': json('A duplicate (Upstash-Deduplication-Id or content): not stored again, answered with the first message\'s id and `deduplicated: true`.', ref('QstashPublishAnswer')),
      ...own,
    }),
  };
}

const refused = 'Upstash-Redact-Fields, Upstash-Cron, Upstash-Schedule-Id and Upstash-Queue-Name are refused';

export function publishPaths(o: OpenApiOptions): Record<string, JsonObject> {
  return {
    '/v2/publish/{destination}': {
      parameters: [destinationParam, ...publishHeaders(o)],
      post: rawPost(o, 'qstashPublish', 'Publish a message to a URL or a URL group',
        'Stored as a Knocker request before the answer, and delivered with QStash\'s headers and `Upstash-Signature`. `Upstash-Forward-<H>` headers reach the destination as `<H>`. Served on the api\'s fast path.',
        { '400': refusal(`A header or the destination is wrong (the error names it); ${refused}.`) }),
    },
    '/v2/enqueue/{queue}/{destination}': {
      parameters: [param('queue', 'The queue\'s name: 1 to 64 letters, digits, `.`, `_` or `-`, starting with a letter or digit.', queueName), destinationParam, ...publishHeaders(o)],
      post: rawPost(o, 'qstashEnqueue', 'Publish a message through a queue',
        'As a publish, but the message waits its turn in the queue: attempted one at a time, in the order enqueued, the next once the one before is delivered or has failed for good. An unknown queue is created.',
        {
          '400': refusal(`A header, the queue's name or the destination is wrong (the error names it), or the queue is new and ${DOOR_QUEUES_MAX} queues exist already; ${refused}.`),
          '429': response('QstashLineFull'),
        }),
    },
    '/v2/batch': {
      post: op('qstashBatch', 'Publish up to 100 messages, answered in order', {
        '200': json('One answer per item, in order; a URL group\'s is an array.', { type: 'array', items: ref('QstashPublishAnswer') }),
        '400': refusal(`An item is wrong: \`[i].<field>\` names it, and nothing was stored; or an item's queue is new and ${DOOR_QUEUES_MAX} queues exist already.`),
        '404': refusal('An item names a URL group that does not exist; the items before it were stored.'),
        '409': flowFull('the items before it were stored'),
        '413': bodyTooLarge(o),
        '429': response('QstashLineFull'),
      }, { requestBody: { required: true, content: { 'application/json': { schema: { type: 'array', minItems: 1, maxItems: 100, items: ref('QstashBatchItem') } } } } }),
    },
  };
}
