import type { JsonObject } from './options.js';
import { schemaRef } from './schemas.js';

const header = (description: string, schema: JsonObject): JsonObject => ({ in: 'header', required: true, description, schema });

/** The calls Knocker makes: each delivery attempt to the target, and the failure callback. */
export function webhooks(version: string): Record<string, JsonObject> {
  return {
    delivery: {
      post: {
        operationId: 'delivery',
        security: [{}],
        summary: 'One attempt at the target',
        description: "The relayed request as received (its method, path, query, body and forwarded headers; shown here as a POST), with Knocker's correlation headers. Delivery is at least once: deduplicate on x-knocker-id (and x-knocker-attempt to drop repeats of one attempt).",
        parameters: [
          { name: 'x-knocker', ...header('The Knocker version; a Knocker refuses to relay a request carrying it (406).', { type: 'string', example: version }) },
          { name: 'x-knocker-id', ...header("The request's id, the same on every attempt.", schemaRef('RequestId')) },
          { name: 'x-knocker-attempt', ...header('Counts the attempts from 1; a replay starts again at 1.', { type: 'integer', minimum: 1 }) },
        ],
        requestBody: { description: "The client's body, byte for byte.", content: { '*/*': { schema: {} } } },
        responses: {
          '200': {
            description: 'Any status below 400 is a delivery, unless the answer reports an error with these headers; 4xx and 5xx, connection errors and timeouts are failed attempts, retried with backoff.',
            headers: {
              'Knocker-Error-Code': { description: 'Reports a failure whatever the status; Knocker-Catch patterns match it. At most 256 characters are kept.', schema: { type: 'string' } },
              'Knocker-Error-Message': { description: 'Its message; at most 2048 characters are kept.', schema: { type: 'string' } },
              'Retry-After': { description: 'On a 429 or 503: seconds or an HTTP date before the next attempt (capped by RETRY_AFTER_MAX).', schema: { type: 'string' } },
              'Knocker-No-Retry': { description: '`true` on a failed answer ends the request at once (callback error `no_retry`).', schema: { type: 'string', enum: ['true'] } },
            },
          },
        },
      },
    },
    failureCallback: {
      post: {
        operationId: 'failureCallback',
        security: [{}],
        summary: 'Every attempt failed',
        description: "POSTed to Knocker-Callback with the request's forwarded headers (but its Content-Type and Content-Encoding). A stored job, retried with the request's retries and backoff; a cancelled request is not called back.",
        parameters: [
          { name: 'x-knocker-origin', ...header('Always `knocker`.', { const: 'knocker' }) },
          { name: 'x-knocker', ...header('The Knocker version.', { type: 'string', example: version }) },
        ],
        requestBody: { required: true, content: { 'application/json': { schema: schemaRef('FailureCallback') } } },
        responses: { '200': { description: 'Any status below 400 ends the callback; others are retried.' } },
      },
    },
  };
}
