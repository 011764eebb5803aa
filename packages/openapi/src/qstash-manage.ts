import type { JsonObject, OpenApiOptions } from './options.js';
import { publishHeaders } from './qstash-publish.js';
import {
  DOOR_FLOW_KEYS_MAX, DOOR_QUEUES_MAX, RAW, bodyTooLarge, header, notFound, ok, op, param, query, queueName, refusal,
} from './qstash-shared.js';
import { json } from './responses.js';
import { schemaRef as ref } from './schemas.js';

// The routes that manage what messages go through: keys, schedules, URL groups, queues, flow control.

const done = ok('Done.', 'QstashEmpty');

function schedulePaths(o: OpenApiOptions): Record<string, JsonObject> {
  const setState = (action: 'pause' | 'resume', method: 'patch' | 'post') =>
    op(`qstash${action === 'pause' ? 'Pause' : 'Resume'}Schedule${method === 'post' ? 'Post' : ''}`, `${action === 'pause' ? 'Pause' : 'Resume'} a schedule (${method.toUpperCase()}: the SDK sends PATCH, QStash's reference says POST)`,
      { ...done, ...notFound('schedule') });
  const id = [param('id', 'The schedule\'s id.')];
  return {
    '/v2/schedules': { get: op('qstashListSchedules', 'List schedules', { '200': json('Every schedule.', { type: 'array', items: ref('QstashSchedule') }) }) },
    '/v2/schedules/{id}': {
      parameters: [param('id', 'POST: the destination, pasted raw (a URL). Otherwise the schedule\'s id.')],
      post: {
        ...op('qstashCreateSchedule', 'Create (or, with Upstash-Schedule-Id, replace) a schedule', {
          ...ok('The schedule\'s id.', 'QstashScheduleCreated'),
          '400': refusal(`Upstash-Cron or another header is wrong (the error names it), a delay was given, or Upstash-Queue-Name names a new queue past ${DOOR_QUEUES_MAX}.`),
          '409': refusal('SCHEDULES_MAX schedules exist already (or it is 0).'),
          '413': bodyTooLarge(o),
        }, { ...RAW, requestBody: { description: `The body of each tick, at most ${o.maxBodySize} bytes (MAX_BODY_SIZE).`, content: { '*/*': { schema: {} } } } }),
        parameters: [
          header('Upstash-Cron', 'A cron expression, 5 or 6 fields, `CRON_TZ=<zone>` allowed.'), header('Upstash-Schedule-Id', '1 to 100 letters, digits, `_`, `.` or `-`.'),
          header('Upstash-Queue-Name', 'Each tick is enqueued to this queue (created if new) and waits its turn.'),
          ...publishHeaders(o).filter((h) => !['Upstash-Queue-Name', 'Upstash-Delay', 'Upstash-Not-Before'].includes(String(h['name']))),
        ],
      },
      get: op('qstashGetSchedule', 'Read a schedule', { ...ok('The schedule.', 'QstashSchedule'), ...notFound('schedule') }),
      delete: op('qstashDeleteSchedule', 'Delete a schedule', { ...ok('Deleted.', 'QstashEmpty'), ...notFound('schedule') }),
    },
    '/v2/schedules/{id}/pause': { parameters: id, patch: setState('pause', 'patch'), post: setState('pause', 'post') },
    '/v2/schedules/{id}/resume': { parameters: id, patch: setState('resume', 'patch'), post: setState('resume', 'post') },
  };
}

function urlGroupPaths(): Record<string, JsonObject> {
  const name = [param('name', 'The URL group\'s name.')];
  const badName = { '400': refusal('The name is not a possible group name.') };
  const endpoints = { requestBody: { required: true, content: { 'application/json': { schema: ref('QstashEndpoints') } } } };
  return {
    '/v2/topics': { get: op('qstashListUrlGroups', 'List URL groups', { '200': json('Every URL group.', { type: 'array', items: ref('QstashUrlGroup') }) }) },
    '/v2/topics/{name}': {
      parameters: name,
      get: op('qstashGetUrlGroup', 'Read a URL group', { ...ok('The group.', 'QstashUrlGroup'), ...notFound('URL group'), ...badName }),
      delete: op('qstashDeleteUrlGroup', 'Delete a URL group', { ...ok('Deleted.', 'QstashEmpty'), ...notFound('URL group'), ...badName }),
    },
    '/v2/topics/{name}/endpoints': {
      parameters: name,
      post: op('qstashAddEndpoints', 'Add endpoints, creating the group', {
        ...ok('Added.', 'QstashEmpty'),
        '400': refusal('The name, the body or an endpoint is wrong (the error names it), or GROUPS_MAX groups or GROUP_ENDPOINTS_MAX endpoints exist already.'),
      }, endpoints),
      delete: op('qstashRemoveEndpoints', 'Remove endpoints; the last one removed deletes the group', {
        ...ok('Removed.', 'QstashEmpty'), ...notFound('URL group'), '400': refusal('The name or the body is wrong, or an endpoint names neither a name nor a URL.'),
      }, endpoints),
    },
  };
}

function queuePaths(): Record<string, JsonObject> {
  const queue = [param('queue', 'The queue\'s name: 1 to 64 letters, digits, `.`, `_` or `-`, starting with a letter or digit.', queueName)];
  const known = { ...done, '400': refusal('The name is not a possible queue name.'), ...notFound('queue') };
  return {
    '/v2/queues': {
      post: op('qstashUpsertQueue', 'Create or change a queue', {
        ...done, '400': refusal(`The body is wrong, over 4096 bytes, or its \`parallelism\` is not 1 (the error names the field); or the queue is new and ${DOOR_QUEUES_MAX} queues exist already.`),
      }, { requestBody: { required: true, content: { 'application/json': { schema: ref('QstashQueueUpsert') } } } }),
      get: op('qstashListQueues', 'List queues', { '200': json('Every queue.', { type: 'array', items: ref('QstashQueue') }) }),
    },
    '/v2/queues/{queue}': {
      parameters: queue,
      get: op('qstashGetQueue', 'Read a queue', { ...known, ...ok('The queue.', 'QstashQueue') }),
      delete: op('qstashDeleteQueue', 'Delete a queue', known),
    },
    '/v2/queues/{queue}/pause': { parameters: queue, post: op('qstashPauseQueue', 'Pause a queue: it takes messages and delivers none', known) },
    '/v2/queues/{queue}/resume': { parameters: queue, post: op('qstashResumeQueue', 'Resume a queue from its earliest undelivered message', known) },
  };
}

function flowControlPaths(): Record<string, JsonObject> {
  const key = [param('key', 'The flow-control key: 1 to 128 letters, digits or `. _ ~ : @ / + = - [ ]`, starting with a letter, digit or `[`.')];
  const badKey = { '400': refusal('The key is not a possible flow-control key.') };
  const unknown = { '404': refusal('No message used this key within the last hour.') };
  const flow = (action: string, summary: string, responses: Record<string, JsonObject> = {}, extra: JsonObject = {}) =>
    ({ parameters: key, post: op(`qstash${action[0]!.toUpperCase()}${action.slice(1)}FlowControl`, summary, { ...done, ...badKey, ...unknown, ...responses }, extra) });
  const flag = (name: string) => query(name, `\`true\` takes the ${name} pin off.`, { enum: ['true', 'false'], default: 'false' });
  return {
    '/v2/flowControl/{key}': {
      parameters: key,
      get: op('qstashGetFlowControl', 'A flow-control key\'s limits and use', { ...ok('The key: the stricter of the operator\'s limits (HOST_LIMITS) and its own.', 'QstashFlowControl'), ...badKey, ...unknown }),
    },
    '/v2/flowControl/{key}/pause': flow('pause', 'Pause deliveries to a flow-control key'),
    '/v2/flowControl/{key}/resume': flow('resume', 'Resume deliveries to a flow-control key'),
    '/v2/flowControl/{key}/pin': {
      parameters: key,
      post: op('qstashPinFlowControl', 'Pin a key\'s own limits over what messages carry (a key not used yet too)', {
        ...done, '400': refusal('The key, `parallelism`, `rate` or `period` is wrong, given twice, or neither `parallelism` nor `rate` is given; `period` only with `rate`.'),
        '409': refusal(`The key would be one more holding its own limits past ${DOOR_FLOW_KEYS_MAX}.`),
      }, { parameters: [
        query('parallelism', 'Attempts in flight at once.', { type: 'integer', minimum: 1, maximum: 100_000 }), query('rate', 'Attempts per period.', { type: 'integer', minimum: 1, maximum: 1_000_000 }),
        query('period', 'Seconds (or `30s`, `5m`, `1h`, `1d`), 1s to 7d, default 1s; only with `rate`.', { type: 'string', pattern: '^\\d{1,9}[smhd]?$' }),
      ] }),
    },
    '/v2/flowControl/{key}/unpin': flow('unpin', 'Take a key\'s pins off', { '400': refusal('The key, `parallelism` or `rate` is wrong, or given twice.') }, { parameters: [flag('parallelism'), flag('rate')] }),
    '/v2/flowControl/{key}/resetRate': flow('resetRate', 'Start a key\'s rate period again'),
    '/v2/globalParallelism': {
      get: op('qstashGlobalParallelism', 'Attempts in flight across every key', ok('No global limit here (`parallelismMax` 0: each worker has WORKER_CONCURRENCY), and the attempts in flight.', 'QstashGlobalParallelism')),
    },
  };
}

export function managePaths(o: OpenApiOptions): Record<string, JsonObject> {
  return {
    '/v2/keys': { get: op('qstashKeys', 'The signing keys receivers verify with', ok('QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY.', 'QstashKeys')) },
    ...schedulePaths(o), ...urlGroupPaths(), ...queuePaths(), ...flowControlPaths(),
  };
}
