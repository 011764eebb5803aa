import { ORDER_LINE_MAX } from '@knocker/contract';
import type { JsonObject, OpenApiOptions } from './options.js';
import { adminResponses, error, json } from './responses.js';
import { schemaRef as ref } from './schemas.js';

/** The body of the order-line view. */
export function orderKeySchemas(): Record<string, JsonObject> {
  return {
    OrderKey: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9._~/+=@-]{0,127}$',
      description: '1 to 128 of `A-Z a-z 0-9 . _ ~ / + = @ -`, starting with a letter or digit (the alphabet of request ids).',
    },
    OrderLine: {
      type: 'object',
      required: ['status', 'key', 'head', 'waiting'],
      additionalProperties: false,
      properties: {
        status: { const: true },
        key: ref('OrderKey'),
        head: {
          oneOf: [{ type: 'null' }, {
            type: 'object',
            required: ['id', 'state', 'since'],
            additionalProperties: false,
            properties: {
              id: ref('RequestId'),
              state: { ...ref('RequestState'), description: 'Absent when it ended as it was read.' },
              since: { type: 'string', format: 'date-time', description: 'When it became the head.' },
            },
          }],
          description: 'The one request of the key that may be attempted; null when the line is empty.',
        },
        waiting: { type: 'integer', minimum: 0, maximum: ORDER_LINE_MAX - 1, description: 'Requests behind the head.' },
      },
    },
  };
}

/** GET <prefix>/order-keys/{key}; behind the admin key. */
export function orderKeyPaths(o: OpenApiOptions): Record<string, JsonObject> {
  return {
    [`${o.reservedPrefix}/order-keys/{key}`]: {
      parameters: [{ name: 'key', in: 'path', required: true, schema: ref('OrderKey'), description: 'A Knocker-Order-Key, URL-encoded: write a `/` in a key as `%2F`.' }],
      get: {
        operationId: 'getOrderLine',
        tags: ['order-keys'],
        summary: "Show an order key's line",
        description: 'The head of the line (the request of the key being attempted, or waiting for its time, a retry or a slot) and how many wait behind it.',
        security: [{ AdminKey: [] }],
        responses: adminResponses({
          '200': json('The line.', ref('OrderLine')),
          '400': error('The key is not a possible order key.', 'invalid_request'),
        }, { id: false }),
      },
    },
  };
}
