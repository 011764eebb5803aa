import { HEADERS_MAX_BYTES } from '@knocker/contract';
import { knockerHeaders } from './headers.js';
import type { JsonObject, OpenApiOptions } from './options.js';
import { error, json, response, serverErrors } from './responses.js';
import { schemaRef } from './schemas.js';

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Any path but the reserved ones: the request is stored for delivery to Knocker-Host. */
export function relayPath(o: OpenApiOptions): JsonObject {
  const parameters: JsonObject[] = [
    { name: 'path', in: 'path', required: true, description: 'The path (and query) the target receives, unchanged; any number of segments.', schema: { type: 'string' } },
    ...Object.entries(knockerHeaders(o)).map(([name, p]) => ({ name, in: 'header', ...p })),
  ];
  const item: JsonObject = { parameters };
  for (const method of METHODS) {
    item[method] = {
      operationId: `relay${method[0]?.toUpperCase()}${method.slice(1)}`,
      tags: ['relay'],
      summary: `Relay a ${method.toUpperCase()}`,
      description: `Any path outside RESERVED_PREFIX (${o.reservedPrefix}). Stores the request in Redis, then answers. Workers deliver it to \`Knocker-Scheme://Knocker-Host/<path>\` with the same method, body and headers (but Host, Content-Length, hop-by-hop and Knocker-* headers), retrying with backoff, and POST the \`failureCallback\` webhook to Knocker-Callback when every attempt failed.`,
      security: [{}, { ApiKey: [] }],
      ...(method === 'get' || method === 'delete'
        ? {}
        : { requestBody: { description: `Any bytes, at most ${o.maxBodySize} (MAX_BODY_SIZE), delivered byte for byte.`, content: { '*/*': { schema: {} } } } }),
      responses: {
        '200': json(
          'Stored for delivery (or, with a Knocker-Id still known, not stored again: `duplicate: true` and the stored request\'s state); with Knocker-Cron, a schedule stored (or replaced) instead; with Knocker-Group, one copy per endpoint (`GroupAccepted`, or `GroupDuplicate`).',
          { oneOf: [schemaRef('Accepted'), schemaRef('Duplicate'), schemaRef('ScheduleAccepted'), schemaRef('GroupAccepted'), schemaRef('GroupDuplicate')] },
        ),
        '400': error('A Knocker-* header is missing or wrong, or the path is not origin-form; `errors` names every one. Or the request is not valid HTTP.', 'invalid_request', 'malformed_request'),
        '401': error('KNOCKER_API_KEYS is set and Knocker-Api-Key is missing, wrong or given twice.', 'unauthorized'),
        '404': error(`A path under RESERVED_PREFIX (${o.reservedPrefix}) that names none of Knocker's routes: nothing there is relayed. Or Knocker-Group names no group (\`errors\` names \`knocker-group\`).`, 'not_found'),
        '406': error('The request carries x-knocker: relaying it again could loop.', 'loop_detected'),
        '408': error('The request did not arrive within READ_TIMEOUT.', 'request_timeout'),
        '409': error('Knocker-Cron, while SCHEDULES_MAX schedules exist already (replacing one by its Knocker-Id never is), or SCHEDULES_MAX is 0; or Knocker-Group names a group without endpoints.', 'schedules_full', 'group_empty'),
        '413': error(`The body is larger than ${o.maxBodySize} bytes (MAX_BODY_SIZE).`, 'payload_too_large'),
        '429': response('TooManyRequests'),
        '431': error(`The headers are larger than ${HEADERS_MAX_BYTES / 1024} KB.`, 'headers_too_large'),
        '503': response('RelayUnavailable'),
        ...serverErrors,
      },
    };
  }
  return item;
}
