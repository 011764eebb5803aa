import { MAX_REPLAYS, REPLAY_FILTERS_MAX_BYTES as BODY_MAX, REQUESTS_SCANNED_MAX } from '@knocker/contract';
import type { JsonObject, OpenApiOptions } from './options.js';
import { adminResponses, error, json } from './responses.js';
import { schemaRef as ref } from './schemas.js';

const time: JsonObject = {
  oneOf: [{ type: 'number', minimum: 0, description: 'Unix seconds.' }, { type: 'string', description: 'A date `Date.parse` reads: ISO 8601 (`2026-12-01T10:00:00Z`).' }],
};

/** The filters and answer of the bulk replay. */
export function replaySchemas(): Record<string, JsonObject> {
  return {
    ReplayFilters: {
      type: 'object',
      additionalProperties: false,
      description: 'Every filter given must match; with none, any failed request matches, oldest failure first. A cancelled request never does.',
      properties: {
        host: { type: 'string', minLength: 1, description: "The target's host (`config.host`), or its `host:port`; a leading `http://` or `https://` is stripped, case is ignored." },
        flow_key: { ...ref('FlowKey'), description: 'The flow key the request counted under: its Knocker-Flow-Key, or else its host:port.' },
        since: { ...time, description: 'Failed at or after this time (unix seconds or an ISO 8601 date).' },
        until: { ...time, description: 'Failed at or before this time; default a minute from now.' },
        status_code: { type: 'integer', minimum: 100, maximum: 999, description: "The status of the request's last attempt (502, 503, 504, 403, 999 as for attempts)." },
        group: { type: 'string', minLength: 1, description: 'The fan-out group the request was sent to.' },
        order_key: { type: 'string', minLength: 1, description: 'Its Knocker-Order-Key.' },
        limit: { type: 'integer', minimum: 1, maximum: MAX_REPLAYS, default: 100, description: 'At most this many are replayed (or removed) by this call.' },
      },
    },
    BulkReplay: {
      type: 'object',
      required: ['status', 'replayed', 'more', 'ids'],
      additionalProperties: false,
      properties: {
        status: { const: true },
        replayed: { type: 'integer', minimum: 0, maximum: MAX_REPLAYS },
        more: { type: 'boolean', description: `More failed requests may match: past \`limit\`, or past the ${REQUESTS_SCANNED_MAX} failed requests one call looks at. Call again.` },
        ids: { type: 'array', items: ref('RequestId'), description: 'The replayed requests, each now waiting with a full set of attempts.' },
      },
    },
  };
}

/** POST <prefix>/requests/retry. */
export function replayPath(o: OpenApiOptions): Record<string, JsonObject> {
  return {
    [`${o.reservedPrefix}/requests/retry`]: {
      post: {
        operationId: 'retryRequests',
        tags: ['requests'],
        summary: 'Replay the failed requests that match',
        description: 'Each is replayed as the single replay does: a full set of attempts, x-knocker-attempt from 1, a callback of its own. A request whose id is `retry` is still read and cancelled at `/requests/retry`; it is replayed alone at `/requests/retry/retry`.',
        security: [{ AdminKey: [] }],
        requestBody: {
          required: false,
          description: `A JSON object of filters, at most ${BODY_MAX} bytes, or no body.`,
          content: { 'application/json': { schema: ref('ReplayFilters') } },
        },
        responses: adminResponses({
          '200': json('Replayed.', ref('BulkReplay')),
          '400': error('The body is not a JSON object, or a filter is unknown or wrong: `errors` names each one (`body`, `limit`, `since`…).', 'invalid_request'),
          '413': error(`The body is larger than ${BODY_MAX} bytes.`, 'payload_too_large'),
        }, { id: false, allow: false }),
      },
    },
  };
}
