import type { JsonObject } from './options.js';
import { schemaRef } from './schemas.js';

const header = (name: string, description: string, schema: JsonObject, required = true): JsonObject => ({ name, in: 'header', required, description, schema });

/** webhook-id, webhook-timestamp, webhook-signature: sent only when SIGNING_SECRETS is set. */
function signature(id: string): JsonObject[] {
  const when = 'Only with SIGNING_SECRETS (Standard Webhooks).';
  return [
    header('webhook-id', `${when} ${id} A sender's own webhook-* headers are dropped while signing is on.`, { type: 'string' }, false),
    header('webhook-timestamp', `${when} Unix seconds when this attempt was made; a receiver refuses one too far from now (5 minutes is usual).`, { type: 'string', pattern: '^[0-9]+$' }, false),
    header('webhook-signature', `${when} \`v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">\`, one entry per secret (the bytes after \`whsec_\`, base64-decoded), space-separated, so receivers can rotate.`,
      { type: 'string', pattern: '^v1,[A-Za-z0-9+/]+={0,2}( v1,[A-Za-z0-9+/]+={0,2})*$' }, false),
  ];
}

function callbackHeaders(version: string, id: string): JsonObject[] {
  return [
    header('x-knocker-origin', 'Always `knocker`.', { const: 'knocker' }),
    header('x-knocker', 'The Knocker version, from the request forwarded.', { type: 'string', example: version }),
    header('content-type', 'The body is JSON, whatever the request\'s was.', { const: 'application/json' }),
    ...signature(id),
  ];
}

const callbackAnswer: JsonObject = { '200': { description: 'Any status below 400 ends the callback; others, errors and timeouts are retried like the request (its Knocker-Retries and backoff).' } };

/** The calls Knocker makes: each delivery attempt to the target, and the two callbacks. */
export function webhooks(version: string): Record<string, JsonObject> {
  return {
    delivery: {
      post: {
        operationId: 'delivery',
        security: [{}],
        summary: 'One attempt at the target',
        description: "The relayed request as received (its method, path, query, body and forwarded headers; shown here as a POST), with Knocker's correlation headers. Delivery is at least once: deduplicate on x-knocker-id (and x-knocker-attempt to drop repeats of one attempt).",
        parameters: [
          header('x-knocker', 'The Knocker version; a Knocker refuses to relay a request carrying it (406).', { type: 'string', example: version }),
          header('x-knocker-id', "The request's id, the same on every attempt and replay; a tick of a schedule has `<schedule id>@<tick time in ms>`.", schemaRef('RequestId')),
          header('x-knocker-attempt', 'Counts the attempts from 1; a replay starts again at 1.', { type: 'integer', minimum: 1 }),
          ...signature('The request\'s id, as in x-knocker-id.'),
        ],
        requestBody: { description: "The client's body, byte for byte; signed as those bytes.", content: { '*/*': { schema: {} } } },
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
        description: "POSTed to Knocker-Callback with the request's forwarded headers (but its Content-Type and Content-Encoding) and these. No x-knocker-id: the request's id is `config.id`. A stored job, retried with the request's retries and backoff; a cancelled request is not called back.",
        parameters: callbackHeaders(version, 'The callback\'s own id, `cb-<request id>` (`cb-<request id>#<n>` after replay n), the same on each of its attempts.'),
        requestBody: { required: true, content: { 'application/json': { schema: schemaRef('FailureCallback') } } },
        responses: callbackAnswer,
      },
    },
    successCallback: {
      post: {
        operationId: 'successCallback',
        security: [{}],
        summary: 'The request was delivered',
        description: "POSTed to Knocker-Success-Callback once an attempt succeeded, with the target's answer; the same headers as the failure callback. Its request's id is `id` in the body.",
        parameters: callbackHeaders(version, 'The callback\'s own id, `ok-<request id>`, the same on each of its attempts.'),
        requestBody: { required: true, content: { 'application/json': { schema: schemaRef('SuccessCallback') } } },
        responses: callbackAnswer,
      },
    },
  };
}
