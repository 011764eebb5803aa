import type { JsonObject, OpenApiOptions } from './options.js';
import { QSTASH_NOT_SERVED_YET, pendingQstashPaths } from './qstash-pending.js';
import {
  RAW, destinationParam, doorResponses, header, param, publishBody, publishHeaders, publishResponses, qstashBase, qstashResponses, refusal, security, tags,
} from './qstash-shared.js';
import { qstashSchemas } from './qstash-schemas.js';
import { json } from './responses.js';
import { schemaRef as ref } from './schemas.js';

/**
 * The QStash door's routes under `<RESERVED_PREFIX>/qstash`, in the document only when the
 * door is on (QSTASH_TOKENS); the routes this build does not serve yet are left out.
 */
function qstashPaths(o: OpenApiOptions): Record<string, JsonObject> {
  if (!o.qstash) return {};
  const base = qstashBase(o);
  const out: Record<string, JsonObject> = {};
  for (const [path, item] of [...Object.entries(servedPaths(o)), ...Object.entries(pendingQstashPaths(o))]) {
    const kept = Object.entries(item).filter(([method]) => method !== 'parameters' && !QSTASH_NOT_SERVED_YET.includes(`${method.toUpperCase()} ${path}`));
    if (kept.length === 0) continue;
    // A path may hold served and pending operations both (GET and DELETE /v2/dlq).
    out[`${base}${path}`] = { ...out[`${base}${path}`], ...(item['parameters'] ? { parameters: item['parameters'] } : {}), ...Object.fromEntries(kept) };
  }
  return out;
}

/**
 * The door's part of the document: its paths, and the schemas they use, its answers and its
 * credential; nothing when the door is off.
 */
export function qstashDocument(o: OpenApiOptions): Record<'paths' | 'schemas' | 'responses' | 'securitySchemes', Record<string, JsonObject>> {
  const paths = qstashPaths(o);
  if (Object.keys(paths).length === 0) return { paths, schemas: {}, responses: {}, securitySchemes: {} };
  const responses = qstashResponses();
  return {
    paths,
    schemas: used(qstashSchemas(), JSON.stringify([paths, responses])),
    responses,
    securitySchemes: { QstashToken: { type: 'http', scheme: 'bearer', description: 'One of QSTASH_TOKENS, as the SDK sends it.' } },
  };
}

/** The schemas `text` refers to, and those they refer to: a route not served yet takes its bodies out with it. */
function used(schemas: Record<string, JsonObject>, text: string): Record<string, JsonObject> {
  const kept: Record<string, JsonObject> = {};
  for (let grew = true; grew;) {
    grew = false;
    for (const [name, schema] of Object.entries(schemas)) {
      if (name in kept || !text.includes(`"#/components/schemas/${name}"`)) continue;
      kept[name] = schema;
      text += JSON.stringify(schema);
      grew = true;
    }
  }
  return kept;
}

const op = (operationId: string, summary: string, responses: Record<string, JsonObject>, extra: JsonObject = {}): JsonObject =>
  ({ operationId, tags, summary, security, ...extra, responses: doorResponses(responses) });
const ok = (description: string, schema: string): Record<string, JsonObject> => ({ '200': json(description, ref(schema)) });
const notFound = (what: string): Record<string, JsonObject> => ({ '404': refusal(`No ${what} is known by this name or id.`) });

function servedPaths(o: OpenApiOptions): Record<string, JsonObject> {
  const idParam = param('id', 'The message id, as publish answered it.');
  const scheduleParam = param('id', 'POST: the destination, pasted raw (a URL). Otherwise the schedule\'s id.');
  const nameParam = param('name', 'The URL group\'s name.');
  const setState = (action: 'pause' | 'resume', method: 'patch' | 'post') =>
    op(`qstash${action === 'pause' ? 'Pause' : 'Resume'}Schedule${method === 'post' ? 'Post' : ''}`, `${action === 'pause' ? 'Pause' : 'Resume'} a schedule (${method.toUpperCase()}: the SDK sends PATCH, QStash\'s reference says POST)`,
      { ...ok('Done.', 'QstashEmpty'), ...notFound('schedule') });
  return {
    '/v2/publish/{destination}': {
      parameters: [destinationParam, ...publishHeaders(o)],
      post: {
        operationId: 'qstashPublish', tags, security, ...RAW,
        summary: 'Publish a message to a URL or a URL group',
        description: 'Stored as a Knocker request before the answer, and delivered with QStash\'s headers and `Upstash-Signature`. `Upstash-Forward-<H>` headers reach the destination as `<H>`. Served on the api\'s fast path.',
        requestBody: publishBody(o),
        responses: publishResponses(o),
      },
    },
    '/v2/batch': {
      post: op('qstashBatch', 'Publish up to 100 messages, answered in order', {
        '200': json('One answer per item, in order; a URL group\'s is an array.', { type: 'array', items: ref('QstashPublishAnswer') }),
        '400': refusal('An item is wrong: `[i].<field>` names it, and nothing was stored.'),
        '404': refusal('An item names a URL group that does not exist.'),
        '413': refusal(`The body is larger than ${o.maxBodySize} bytes (MAX_BODY_SIZE).`),
      }, { requestBody: { required: true, content: { 'application/json': { schema: { type: 'array', minItems: 1, maxItems: 100, items: ref('QstashBatchItem') } } } } }),
    },
    '/v2/messages/{id}': {
      parameters: [idParam],
      get: op('qstashGetMessage', 'Read a message', { ...ok('The message, as long as Knocker keeps it (RETAIN_*).', 'QstashMessage'), ...notFound('message') }),
      delete: op('qstashCancelMessage', 'Cancel a message', {
        ...ok('Cancelled: `{cancelled: 1}`.', 'QstashCancelled'), ...notFound('message'),
        '400': refusal('The message is being delivered or has finished.'),
      }),
    },
    '/v2/dlq': {
      get: op('qstashListDlq', 'List failed messages, oldest first', {
        ...ok('A page; `cursor` absent on the last one.', 'QstashDlqPage'),
        '400': refusal('`count` is not 1 to 100, or a filter was given (not supported here).'),
      }, { parameters: [
        { name: 'count', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 100 } },
        { name: 'cursor', in: 'query', required: false, schema: { type: 'string' } },
      ] }),
    },
    '/v2/dlq/retry': {
      post: op('qstashRetryDlq', 'Replay failed messages by id', {
        ...ok('The messages replayed, under their own ids.', 'QstashRetried'),
        '400': refusal('`dlqIds` names none or more than 100 messages (filters are not supported here).'),
      }, { parameters: [{ name: 'dlqIds', in: 'query', required: true, schema: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 100 }, style: 'form', explode: true }] }),
    },
    '/v2/keys': { get: op('qstashKeys', 'The signing keys receivers verify with', ok('QSTASH_CURRENT_SIGNING_KEY and QSTASH_NEXT_SIGNING_KEY.', 'QstashKeys')) },
    '/v2/schedules': { get: op('qstashListSchedules', 'List schedules', { '200': json('Every schedule.', { type: 'array', items: ref('QstashSchedule') }) }) },
    '/v2/schedules/{id}': {
      parameters: [scheduleParam],
      post: {
        ...op('qstashCreateSchedule', 'Create (or, with Upstash-Schedule-Id, replace) a schedule', {
          ...ok('The schedule\'s id.', 'QstashScheduleCreated'),
          '400': refusal('Upstash-Cron or another header is wrong, or a delay or queue header was given.'),
          '409': refusal('SCHEDULES_MAX schedules exist already (or it is 0).'),
          '413': refusal(`The body is larger than ${o.maxBodySize} bytes (MAX_BODY_SIZE).`),
        }, { ...RAW, requestBody: publishBody(o) }),
        parameters: [header('Upstash-Cron', 'A cron expression, 5 or 6 fields, `CRON_TZ=<zone>` allowed.'), header('Upstash-Schedule-Id', '1 to 100 letters, digits, `_`, `.` or `-`.'), ...publishHeaders(o)],
      },
      get: op('qstashGetSchedule', 'Read a schedule', { ...ok('The schedule.', 'QstashSchedule'), ...notFound('schedule') }),
      delete: op('qstashDeleteSchedule', 'Delete a schedule', { ...ok('Deleted.', 'QstashEmpty'), ...notFound('schedule') }),
    },
    '/v2/schedules/{id}/pause': { parameters: [param('id', 'The schedule\'s id.')], patch: setState('pause', 'patch'), post: setState('pause', 'post') },
    '/v2/schedules/{id}/resume': { parameters: [param('id', 'The schedule\'s id.')], patch: setState('resume', 'patch'), post: setState('resume', 'post') },
    '/v2/topics': { get: op('qstashListUrlGroups', 'List URL groups', { '200': json('Every URL group.', { type: 'array', items: ref('QstashUrlGroup') }) }) },
    '/v2/topics/{name}': {
      parameters: [nameParam],
      get: op('qstashGetUrlGroup', 'Read a URL group', { ...ok('The group.', 'QstashUrlGroup'), ...notFound('URL group'), '400': refusal('The name is not a possible group name.') }),
      delete: op('qstashDeleteUrlGroup', 'Delete a URL group', { ...ok('Deleted.', 'QstashEmpty'), ...notFound('URL group'), '400': refusal('The name is not a possible group name.') }),
    },
    '/v2/topics/{name}/endpoints': {
      parameters: [nameParam],
      post: op('qstashAddEndpoints', 'Add endpoints, creating the group', {
        ...ok('Added.', 'QstashEmpty'),
        '400': refusal('The name, the body or an endpoint is wrong (the error names it), or GROUPS_MAX groups or GROUP_ENDPOINTS_MAX endpoints exist already.'),
      }, { requestBody: { required: true, content: { 'application/json': { schema: ref('QstashEndpoints') } } } }),
      delete: op('qstashRemoveEndpoints', 'Remove endpoints; the last one removed deletes the group', {
        ...ok('Removed.', 'QstashEmpty'), ...notFound('URL group'), '400': refusal('The name or the body is wrong, or an endpoint names neither a name nor a URL.'),
      }, { requestBody: { required: true, content: { 'application/json': { schema: ref('QstashEndpoints') } } } }),
    },
  };
}
