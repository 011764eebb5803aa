import { LISTED_REQUESTS_MAX, MAX_REPLAYS, REPLAY_FILTERS_MAX_BYTES as FILTERS_MAX, REQUESTS_SCANNED_MAX as SCAN } from '@knocker/contract';
import type { JsonObject, OpenApiOptions } from './options.js';
import { adminResponses, error, gatedErrors, json, response, serverErrors } from './responses.js';
import { schemaRef as ref } from './schemas.js';

const time: JsonObject = { type: 'string', description: 'Unix seconds, or an ISO 8601 date.' };
const query = (name: string, description: string, schema: JsonObject = { type: 'string', minLength: 1 }): JsonObject => ({ name, in: 'query', required: false, description, schema });

/** The listing, the bulk delete and the batch: their shapes. */
export function listSchemas(): Record<string, JsonObject> {
  const nullable = (schema: JsonObject): JsonObject => ({ oneOf: [{ type: 'null' }, schema] });
  return {
    ListedRequest: {
      type: 'object',
      required: ['id', 'state', 'method', 'url', 'status_code', 'error', 'error_code', 'attempts', 'accepted_at', 'ended_at'],
      additionalProperties: false,
      properties: {
        id: ref('RequestId'),
        state: { enum: ['failed', 'delivered', 'waiting', 'delayed', 'cancelled'] },
        method: { type: 'string' },
        url: { type: 'string', format: 'uri', description: 'The target.' },
        status_code: { ...nullable({ type: 'integer' }), description: 'Of the last attempt; null before the first.' },
        error: { ...nullable({ type: 'string' }), description: "Why the last attempt failed, in Knocker's words." },
        error_code: { ...nullable({ type: 'string' }), description: 'What the target reported in Knocker-Error-Code on the last attempt.' },
        attempts: { type: 'integer', minimum: 0, description: 'Attempts of the last run.' },
        accepted_at: { type: 'string', format: 'date-time' },
        ended_at: { ...nullable({ type: 'string', format: 'date-time' }), description: 'When it failed, was delivered or was cancelled; null while it waits.' },
        due_at: { type: 'string', format: 'date-time', description: 'A delayed request: when its next attempt may start.' },
        group: { type: 'string', description: 'The fan-out group it was sent to.' },
        order_key: { type: 'string', description: 'Its Knocker-Order-Key.' },
      },
    },
    RequestList: {
      type: 'object',
      required: ['status', 'requests'],
      additionalProperties: false,
      properties: {
        status: { const: true },
        requests: { type: 'array', items: ref('ListedRequest'), maxItems: LISTED_REQUESTS_MAX, description: 'Newest first, across every shard.' },
        cursor: { type: 'string', description: `Pass it back as \`?cursor=\` for the next page; absent on the last. A page looks at ${SCAN} requests at most and may be short, even empty, with a cursor.` },
      },
    },
    BulkDelete: {
      type: 'object',
      required: ['status', 'deleted', 'more', 'ids'],
      additionalProperties: false,
      properties: {
        status: { const: true },
        deleted: { type: 'integer', minimum: 0, maximum: MAX_REPLAYS },
        more: { type: 'boolean', description: `More failed requests may match: past \`limit\`, or past the ${SCAN} failed requests one call looks at. Call again.` },
        ids: { type: 'array', items: ref('RequestId'), description: 'The removed requests.' },
      },
    },
    Removed: {
      type: 'object',
      required: ['status', 'id', 'state'],
      additionalProperties: false,
      properties: { status: { const: true }, id: ref('RequestId'), state: { const: 'removed' } },
    },
    BatchItem: {
      type: 'object',
      required: ['url'],
      additionalProperties: false,
      description: 'One request, exactly as a single request with these headers would be: `headers` carry its Knocker-* headers too.',
      properties: {
        method: { type: 'string', default: 'POST', description: 'In capitals.' },
        url: { type: 'string', maxLength: 8192, description: 'The path (`/hook?x=1`), with Knocker-Host among the headers; or an absolute http(s) URL, whose host and scheme stand for Knocker-Host and Knocker-Scheme when those are not given.' },
        headers: { type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }, description: 'Names to a value or a list of values, 16 KB in all at most. Knocker-Cron is not taken here.' },
        body: { type: 'string', description: 'The body as text (UTF-8).' },
        body_base64: { type: 'string', contentEncoding: 'base64', description: 'The body as base64, for bytes; not with `body`.' },
      },
    },
    BatchAnswer: {
      type: 'object',
      required: ['status', 'results'],
      additionalProperties: false,
      properties: {
        status: { const: true },
        results: { type: 'array', items: { oneOf: [ref('Accepted'), ref('Duplicate')] }, description: "Each request's answer, in the batch's order, as a single request would have been answered." },
      },
    },
  };
}

/** GET <prefix>/requests, POST <prefix>/requests/delete, POST <prefix>/batch. */
export function listPaths(o: OpenApiOptions): Record<string, JsonObject> {
  const p = o.reservedPrefix;
  const security = [{ AdminKey: [] }];
  return {
    [`${p}/requests`]: {
      get: {
        operationId: 'listRequests',
        tags: ['requests'],
        summary: 'List requests in a state, newest first',
        description: 'The failed ones (dead letters) by default, newest first across every shard, a page at a time. Every filter given must match.',
        security,
        parameters: [
          query('state', 'Which requests: `failed` (the default), `delivered`, `waiting`, `delayed` or `cancelled`.', { enum: ['failed', 'delivered', 'waiting', 'delayed', 'cancelled'] }),
          query('host', "The target's host, or host:port."),
          query('flow_key', 'The flow key the request counts under.'),
          query('since', 'Ended (failed, delivered, cancelled), due (delayed) or accepted (waiting) at or after this time.', time),
          query('until', 'At or before this time; default a minute from now.', time),
          query('status_code', 'The status of the last attempt.', { type: 'integer', minimum: 100, maximum: 999 }),
          query('group', 'The fan-out group the request was sent to.'),
          query('order_key', 'Its Knocker-Order-Key.'),
          query('limit', 'Requests on this page at most.', { type: 'integer', minimum: 1, maximum: LISTED_REQUESTS_MAX, default: 100 }),
          query('cursor', 'What the previous page answered.'),
        ],
        responses: adminResponses({
          '200': json('A page.', ref('RequestList')),
          '400': error('A parameter is unknown, given twice or wrong, or the cursor is not one this Knocker gave for this state: `errors` names each one.', 'invalid_request'),
        }, { id: false }),
      },
    },
    [`${p}/requests/delete`]: {
      post: {
        operationId: 'deleteRequests',
        tags: ['requests'],
        summary: 'Remove the failed requests that match',
        description: 'Each is removed with its attempts and log lines, oldest failure first, as RETAIN_FAILED_* would remove it. A cancelled request is not removed here (DELETE it by id).',
        security,
        requestBody: { required: false, description: `A JSON object of filters, at most ${FILTERS_MAX} bytes, or no body.`, content: { 'application/json': { schema: ref('ReplayFilters') } } },
        responses: adminResponses({
          '200': json('Removed.', ref('BulkDelete')),
          '400': error('The body is not a JSON object, or a filter is unknown or wrong: `errors` names each one.', 'invalid_request'),
          '413': error(`The body is larger than ${FILTERS_MAX} bytes.`, 'payload_too_large'),
        }, { id: false, allow: false }),
      },
    },
    [`${p}/batch`]: {
      post: {
        operationId: 'batch',
        tags: ['relay'],
        summary: 'Store many requests in one call',
        description: `A JSON array of at most ${o.batch.maxItems} requests (BATCH_MAX), ${o.batch.maxBytes} bytes in all (BATCH_MAX_BYTES), each body within MAX_BODY_SIZE. Every one is checked first: one wrong item refuses the batch and stores nothing. Then all are stored, in a few Redis round trips per shard, before the answer.`,
        security: [{}, { ApiKey: [] }],
        requestBody: { required: true, content: { 'application/json': { schema: { type: 'array', minItems: 1, maxItems: o.batch.maxItems, items: ref('BatchItem') } } } },
        responses: {
          '200': json('Every request stored (or known already, by its Knocker-Id).', ref('BatchAnswer')),
          '400': error('The body is not an array of 1 to BATCH_MAX requests, or an item is wrong: `errors` names it, as `items[<index>].<field>` (`items[2].headers.knocker-host`).', 'invalid_request'),
          '401': error('KNOCKER_API_KEYS is set and Knocker-Api-Key is missing, wrong or given twice.', 'unauthorized'),
          '405': response('MethodNotAllowed'),
          '413': error(`The body is larger than ${o.batch.maxBytes} bytes (BATCH_MAX_BYTES).`, 'payload_too_large'),
          ...gatedErrors,
          ...serverErrors,
        },
      },
    },
  };
}
