import type { JsonObject, OpenApiOptions } from './options.js';
import { adminResponses, error, gatedErrors, json, response, serverErrors, stateChange } from './responses.js';
import { schemaRef } from './schemas.js';

const idParam: JsonObject = {
  name: 'id',
  in: 'path',
  required: true,
  description: "The request's id (`config.id`), URL-encoded: write a `/` in an id as `%2F`.",
  schema: schemaRef('RequestId'),
};

const admin = (extra: Record<string, JsonObject>) => adminResponses(extra);

/** Knocker's own routes under RESERVED_PREFIX: answered by Knocker whatever the method, never relayed. */
export function reservedPaths(o: OpenApiOptions): Record<string, JsonObject> {
  const p = o.reservedPrefix;
  const security = [{ AdminKey: [] }];
  // REQUEST_LOG_REQUIRES_ADMIN_KEY wins; else, with KNOCKER_API_KEYS, an api key or the admin key.
  const logSecurity = o.requestLog.requiresAdminKey ? security : o.apiKeysRequired ? [{ ApiKey: [] }, ...security] : [{}];
  const logCredential = o.requestLog.requiresAdminKey
    ? 'Needs Knocker-Admin-Key (REQUEST_LOG_REQUIRES_ADMIN_KEY).'
    : 'Knowing the id is the credential, as the target received it in x-knocker-id; with KNOCKER_API_KEYS set, Knocker-Api-Key (one of them) or Knocker-Admin-Key is needed too.';
  return {
    [`${p}/requests/{id}`]: {
      parameters: [idParam],
      get: {
        operationId: 'inspectRequest',
        tags: ['requests'],
        summary: 'Inspect a stored request',
        description: 'Its state, attempts (replays included), log lines and callback.',
        security,
        responses: admin({ '200': json('What Knocker knows about the request.', schemaRef('Inspection')) }),
      },
      delete: {
        operationId: 'cancelRequest',
        tags: ['requests'],
        summary: 'Cancel a waiting or delayed request; remove a finished one',
        description: 'A waiting or delayed request is cancelled: no further attempt is made, no callback is sent, and it stays to be inspected. A failed, delivered or cancelled one is removed, with its attempts and log lines. A 409 means a worker has it right now.',
        security,
        responses: admin({
          '200': json('Cancelled, or removed.', { oneOf: [{ allOf: [schemaRef('StateChange'), { type: 'object', properties: { state: { const: 'cancelled' } } }] }, schemaRef('Removed')] }),
          '409': error('A worker is delivering the request: it can be neither cancelled nor removed.', 'invalid_state'),
        }),
      },
    },
    [`${p}/requests/{id}/retry`]: {
      parameters: [idParam],
      post: {
        operationId: 'retryRequest',
        tags: ['requests'],
        summary: 'Replay a failed request',
        description: 'Runs it again with its stored method, URL, headers, body and config, and a full set of attempts (x-knocker-attempt starts again at 1).',
        security,
        responses: admin({
          '200': stateChange('waiting', 'Queued again.'),
          '409': error('The request is not failed (a cancelled one included); of two replays sent at once, one gets this.', 'invalid_state'),
        }),
      },
    },
    [`${p}/log`]: {
      post: {
        operationId: 'appendLog',
        tags: ['requests'],
        summary: 'Add a log line to a request',
        description: `The body, as text, becomes one line of the request's log (one trailing newline dropped), stamped with the time it arrived. At most ${o.requestLog.maxLines} lines and ${o.requestLog.maxBytes} bytes of text per request (REQUEST_LOG_MAX_LINES, REQUEST_LOG_MAX_BYTES). ${logCredential}`,
        security: logSecurity,
        parameters: [{ ...idParam, in: 'query', description: "The request's id, as received in x-knocker-id; `%XX` escapes are decoded and `+` stays a `+`." }],
        requestBody: { required: true, content: { 'text/plain': { schema: { type: 'string', minLength: 1 } } } },
        responses: {
          '200': json('Added.', schemaRef('LogAppended')),
          '400': error('The id is missing, given twice or not a possible id, or the line is empty.', 'invalid_request'),
          ...(o.requestLog.requiresAdminKey ? { '401': response('AdminUnauthorized'), '403': response('AdminDisabled') } : {}),
          ...(!o.requestLog.requiresAdminKey && o.apiKeysRequired ? { '401': error('KNOCKER_API_KEYS is set and neither a valid Knocker-Api-Key nor Knocker-Admin-Key came with the line.', 'unauthorized') } : {}),
          '404': response('NotFound'),
          '405': response('MethodNotAllowed'),
          '413': error('The line would pass REQUEST_LOG_MAX_LINES or REQUEST_LOG_MAX_BYTES.', 'log_full'),
          ...gatedErrors,
          ...serverErrors,
        },
      },
    },
    [`${p}/openapi.json`]: {
      get: {
        operationId: 'getOpenApi',
        tags: ['operations'],
        summary: 'This document',
        description: 'Built from the running configuration: its limits, prefix and paths.',
        security: [{}],
        responses: {
          '200': json('The OpenAPI 3.1 document.', { type: 'object', required: ['openapi'], properties: { openapi: { const: '3.1.0' } } }),
          '405': response('MethodNotAllowed'),
          '429': response('TooManyRequests'),
          '503': error('The api is past its capacity (load shedding).', 'overloaded'),
          ...serverErrors,
        },
      },
    },
  };
}

const underPrefix = (path: string, prefix: string): boolean => path.toLowerCase() === prefix.toLowerCase() || path.toLowerCase().startsWith(`${prefix.toLowerCase()}/`);

/** Status, health and metrics: GET only; other methods on these paths are relayed. */
export function operationPaths(o: OpenApiOptions): Record<string, JsonObject> {
  const healthSecurity = [{}, { HealthApiKey: [] }];
  const healthAnswer = (description: string): JsonObject => ({
    description,
    content: {
      'text/plain': { schema: { enum: ['OK', 'ServiceUnavailable'] } },
      'application/json': { schema: schemaRef('HealthReport') },
    },
  });
  const healthResponses = {
    '200': healthAnswer('Every check passed: `OK`, or the detailed report with HEALTH_DETAILED=true.'),
    '401': error('HEALTH_API_KEY is set and `?api-key=` is missing or wrong.', 'unauthorized'),
    '503': healthAnswer('A check failed or timed out (HEALTH_TIMEOUT_MS), or the process is shutting down.'),
    ...serverErrors,
  };
  return {
    [o.statusUrl]: {
      get: {
        operationId: 'getStatus',
        tags: ['operations'],
        summary: 'Queue counts and totals',
        description: 'The counts are read at most once a second and shared by the requests of that second. Under RESERVED_PREFIX other methods on this path answer 405; elsewhere they are relayed.',
        security: [{}],
        responses: {
          '200': json('The status page (STATUS_URL).', schemaRef('Status')),
          ...(underPrefix(o.statusUrl, o.reservedPrefix) ? { '405': response('MethodNotAllowed') } : {}),
          ...gatedErrors,
          ...serverErrors,
        },
      },
    },
    [o.healthPath]: {
      get: { operationId: 'getHealth', tags: ['operations'], summary: 'Run every health check (readiness)', security: healthSecurity, responses: healthResponses },
    },
    [`${o.healthPath}/{check}`]: {
      parameters: [{ name: 'check', in: 'path', required: true, description: '`_self` (liveness), `redis` or `workers`.', schema: { type: 'string', example: '_self' } }],
      get: {
        operationId: 'getHealthCheck',
        tags: ['operations'],
        summary: 'Run one health check',
        security: healthSecurity,
        responses: { ...healthResponses, '404': error('No check has this path.', 'unknown_check') },
      },
    },
    ...(o.metricsEnabled
      ? {
          '/metrics': {
            get: {
              operationId: 'getMetrics',
              tags: ['operations'],
              summary: 'Prometheus metrics',
              description: 'Each worker serves its own on METRICS_PORT. METRICS_ENABLED=false turns them off.',
              security: [{}],
              responses: { '200': { description: "Prometheus' text format.", content: { 'text/plain': { schema: { type: 'string' } } } }, ...serverErrors },
            },
          },
        }
      : {}),
  };
}
