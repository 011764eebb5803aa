import type { JsonObject, OpenApiOptions } from './options.js';
import { RAW, destinationParam, publishBody, publishHeaders, publishResponses, refusal, security, tags, doorResponses } from './qstash-shared.js';
import { json } from './responses.js';
import { schemaRef as ref } from './schemas.js';

/**
 * Door routes described before this build serves them, as `METHOD <path under the door>`:
 * each stays out of the document until its route exists. Delete an entry when its route
 * lands; the routes test names a route served but not described, and the reverse.
 */
export const QSTASH_NOT_SERVED_YET: readonly string[] = [
  'POST /v2/queues', 'GET /v2/queues', 'GET /v2/queues/{queue}', 'DELETE /v2/queues/{queue}', 'POST /v2/queues/{queue}/pause', 'POST /v2/queues/{queue}/resume',
  'POST /v2/enqueue/{queue}/{destination}',
  'DELETE /v2/messages', 'DELETE /v2/dlq/{dlqId}', 'DELETE /v2/dlq', 'GET /v2/events',
  'GET /v2/flowControl/{key}', 'POST /v2/flowControl/{key}/pause', 'POST /v2/flowControl/{key}/resume', 'POST /v2/flowControl/{key}/pin',
  'POST /v2/flowControl/{key}/unpin', 'POST /v2/flowControl/{key}/resetRate', 'GET /v2/globalParallelism',
];

const param = (name: string, description: string): JsonObject => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const query = (name: string, description: string, schema: JsonObject = { type: 'string' }): JsonObject => ({ name, in: 'query', required: false, description, schema });
const op = (operationId: string, summary: string, responses: Record<string, JsonObject>, extra: JsonObject = {}): JsonObject =>
  ({ operationId, tags, summary, security, ...extra, responses: doorResponses(responses) });
const done = { '200': json('Done.', ref('QstashEmpty')) };
const ids = (name: string, description: string): JsonObject =>
  ({ name, in: 'query', required: false, description, schema: { type: 'array', items: { type: 'string' }, maxItems: 100 }, style: 'form', explode: true });
const page = [query('count', 'At most this many, 1 to 100.', { type: 'integer', minimum: 1, maximum: 100, default: 100 }), query('cursor', 'From the previous answer.')];

/** Queues, enqueue, bulk cancel and delete, logs and flow control, in QStash's shapes (SDK 2.12.0). */
export function pendingQstashPaths(o: OpenApiOptions): Record<string, JsonObject> {
  const queue = param('queue', 'The queue\'s name: letters, digits, `-`, `_` and `.`.');
  const key = param('key', 'The flow-control key.');
  const notFound = (what: string) => ({ '404': refusal(`No ${what} is known by this name.`) });
  const badName = { '400': refusal('The name is not a possible queue name.') };
  const flow = (action: string, summary: string, extra: JsonObject = {}) => op(`qstash${action[0]?.toUpperCase()}${action.slice(1)}FlowControl`, summary, { ...done, ...notFound('flow-control key') }, extra);
  return {
    '/v2/queues': {
      post: op('qstashUpsertQueue', 'Create or change a queue', { ...done, '400': refusal('The body is wrong; the error names the field.') },
        { requestBody: { required: true, content: { 'application/json': { schema: ref('QstashQueueUpsert') } } } }),
      get: op('qstashListQueues', 'List queues', { '200': json('Every queue.', { type: 'array', items: ref('QstashQueue') }) }),
    },
    '/v2/queues/{queue}': {
      parameters: [queue],
      get: op('qstashGetQueue', 'Read a queue', { '200': json('The queue.', ref('QstashQueue')), ...badName, ...notFound('queue') }),
      delete: op('qstashDeleteQueue', 'Delete a queue', { ...done, ...badName, ...notFound('queue') }),
    },
    '/v2/queues/{queue}/pause': { parameters: [queue], post: op('qstashPauseQueue', 'Pause a queue: it takes messages and delivers none', { ...done, ...badName, ...notFound('queue') }) },
    '/v2/queues/{queue}/resume': { parameters: [queue], post: op('qstashResumeQueue', 'Resume a queue from its earliest undelivered message', { ...done, ...badName, ...notFound('queue') }) },
    '/v2/enqueue/{queue}/{destination}': {
      parameters: [queue, destinationParam, ...publishHeaders(o)],
      post: {
        operationId: 'qstashEnqueue', tags, security, ...RAW,
        summary: 'Publish a message through a queue',
        description: 'As a publish, delivered in the queue\'s order within its parallelism; an unknown queue is created.',
        requestBody: publishBody(o),
        responses: publishResponses(o),
      },
    },
    '/v2/messages': {
      delete: op('qstashCancelMessages', 'Cancel messages by id, by filter, or all', {
        '200': json('How many were cancelled.', ref('QstashCancelled')), '400': refusal('A filter or `count` is wrong; the error names it.'),
      }, { parameters: [ids('messageIds', 'The messages to cancel.'), query('url', 'Filter.'), query('topicName', 'Filter.'), query('queueName', 'Filter.'),
        query('scheduleId', 'Filter.'), query('label', 'Filter.'), query('flowControlKey', 'Filter.'), query('fromDate', 'Filter: ms.'), query('toDate', 'Filter: ms.'),
        query('count', 'At most this many.', { type: 'integer', minimum: 1 })] }),
    },
    '/v2/dlq': {
      delete: op('qstashDeleteDlqMessages', 'Delete failed messages by id, by filter, or all', {
        '200': json('How many were deleted; `cursor` while more match.', ref('QstashDeleted')), '400': refusal('A filter or `count` is wrong; the error names it.'),
      }, { parameters: [ids('dlqIds', 'The failed messages to delete.'), ...page] }),
    },
    '/v2/dlq/{dlqId}': {
      parameters: [param('dlqId', 'The failed message\'s `dlqId`.')],
      delete: op('qstashDeleteDlqMessage', 'Delete one failed message', { ...done, '404': refusal('No failed message has this id.') }),
    },
    '/v2/events': {
      get: op('qstashLogs', 'What happened to messages, newest first', {
        '200': json('A page of events; `cursor` absent on the last one.', ref('QstashEvents')), '400': refusal('A filter or `count` is wrong; the error names it.'),
      }, { parameters: [...page, ids('messageIds', 'Only these messages.'), query('state', 'Filter.'), query('url', 'Filter.'), query('fromDate', 'Filter: ms.'), query('toDate', 'Filter: ms.')] }),
    },
    '/v2/flowControl/{key}': {
      parameters: [key],
      get: op('qstashGetFlowControl', 'A flow-control key\'s limits and use', { '200': json('The key.', ref('QstashFlowControl')), ...notFound('flow-control key') }),
    },
    '/v2/flowControl/{key}/pause': { parameters: [key], post: flow('pause', 'Pause deliveries to a flow-control key') },
    '/v2/flowControl/{key}/resume': { parameters: [key], post: flow('resume', 'Resume deliveries to a flow-control key') },
    '/v2/flowControl/{key}/pin': {
      parameters: [key],
      post: flow('pin', 'Pin a key\'s limits over what messages carry', { parameters: [
        query('parallelism', 'Attempts in flight at once.', { type: 'integer', minimum: 0 }), query('rate', 'Attempts per period.', { type: 'integer', minimum: 0 }),
        query('period', 'Seconds.', { type: 'integer', minimum: 1 })] }),
    },
    '/v2/flowControl/{key}/unpin': {
      parameters: [key],
      post: flow('unpin', 'Unpin a key\'s limits', { parameters: [query('parallelism', 'Unpin the parallelism.', { enum: ['true', 'false'] }), query('rate', 'Unpin the rate.', { enum: ['true', 'false'] })] }),
    },
    '/v2/flowControl/{key}/resetRate': { parameters: [key], post: flow('resetRate', 'Start a key\'s rate period again') },
    '/v2/globalParallelism': {
      get: op('qstashGlobalParallelism', 'Attempts in flight across every key', { '200': json('The global limit and use.', ref('QstashGlobalParallelism')) }),
    },
  };
}
