import { ORDER_LINE_MAX } from '@knocker/contract';
import type { JsonObject, OpenApiOptions } from './options.js';
import { json, response, serverErrors } from './responses.js';
import { errorSchema, schemaRef as ref } from './schemas.js';

// What the door's operations share: its security, answers, bounds and parameters.

// Bounds of @knocker/qstash and @knocker/flow, which this package does not depend on (they
// bring Redis): the door's OpenAPI test checks them against the constants.
/** QUEUES_MAX: queues a deployment holds. */
export const DOOR_QUEUES_MAX = 200;
/** LIMITED_KEYS_MAX: flow-control keys holding their own limits at once. */
export const DOOR_FLOW_KEYS_MAX = 10_000;
/** BODY_BYTES_MAX of a DLQ page: bytes of bodies one answer carries. */
export const DOOR_DLQ_PAGE_BYTES = 8 * 1024 * 1024;

/** Where the door lives: the SDK's `baseUrl` is `<api>/<RESERVED_PREFIX>/qstash`. */
export const qstashBase = (o: Pick<OpenApiOptions, 'reservedPrefix'>): string => `${o.reservedPrefix.replace(/\/+$/, '')}/qstash`;

/** A QStash refusal, `{"error": ...}`. */
export const refusal = (description: string): JsonObject => json(description, ref('QstashError'));

/** What every door route may answer besides its own: the token, the gate, Redis, the unexpected. */
export function doorResponses(own: Record<string, JsonObject>): Record<string, JsonObject> {
  return {
    '401': refusal('Authorization is missing, or is not `Bearer <one of QSTASH_TOKENS>`.'),
    '429': response('TooManyRequests'),
    '503': response('QstashUnavailable'),
    ...serverErrors,
    ...own,
  };
}

export const security = [{ QstashToken: [] }];
export const tags = ['qstash'];

export const op = (operationId: string, summary: string, responses: Record<string, JsonObject>, extra: JsonObject = {}): JsonObject =>
  ({ operationId, tags, summary, security, ...extra, responses: doorResponses(responses) });
export const ok = (description: string, schema: string): Record<string, JsonObject> => ({ '200': json(description, ref(schema)) });
export const notFound = (what: string): Record<string, JsonObject> => ({ '404': refusal(`No ${what} is known by this name or id.`) });

export const param = (name: string, description: string, schema: JsonObject = { type: 'string' }): JsonObject => ({ name, in: 'path', required: true, description, schema });
export const header = (name: string, description: string, schema: JsonObject = { type: 'string' }): JsonObject => ({ name, in: 'header', required: false, description, schema });
export const query = (name: string, description: string, schema: JsonObject = { type: 'string' }): JsonObject => ({ name, in: 'query', required: false, description, schema });
/** Ids as the SDK sends them, the name repeated: `?dlqIds=a&dlqIds=b`. */
export const ids = (name: string, description: string): JsonObject =>
  ({ name, in: 'query', required: false, description, schema: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 256 }, minItems: 1, maxItems: 100 }, style: 'form', explode: true });
/** `count`, 1 to `max`. */
export const countParam = (max: number, fallback: number, description = 'At most this many.'): JsonObject =>
  query('count', description, { type: 'integer', minimum: 1, maximum: max, default: fallback });
/** A filter of the list and bulk routes: each may be repeated, any value matching; every filter given must match. */
export const filter = (name: string, description: string, schema: JsonObject = { type: 'string', minLength: 1, maxLength: 2048 }): JsonObject =>
  ({ ...query(name, `${description} Up to 100 values (any matches).`, { type: 'array', items: schema, maxItems: 100 }), style: 'form', explode: true });
const time = (name: string, description: string): JsonObject => query(name, description, { type: 'string', pattern: '^\\d{1,15}$' });
export const dates = [time('fromDate', 'Only those at or after this time, ms since the epoch.'), time('toDate', 'Only those at or before this time, ms since the epoch; not before fromDate.')];

/** A queue's name, with URL groups' rules. */
export const queueName: JsonObject = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' };
/** A destination pasted raw by the SDK: it takes the rest of the path, `//` and query included. */
export const destinationParam = param('destination', 'A URL pasted as is (`https://api.example/hook?x=1`: the query is the destination\'s), or a URL group\'s name.');
/** The route matches a raw destination by prefix, outside the api's route table. */
export const RAW = { 'x-knocker-raw-destination': true };

/** Refusals of anything that stores a message. */
export const flowFull = (stored = 'nothing was stored'): JsonObject =>
  refusal(`Upstash-Flow-Control-Value would give one more key its own limits past the ${DOOR_FLOW_KEYS_MAX} that hold them (a key's lapse an hour after its last use); ${stored}.`);
export const bodyTooLarge = (o: OpenApiOptions): JsonObject => refusal(`The body is larger than ${o.maxBodySize} bytes (MAX_BODY_SIZE).`);

/** Shared answers of the door: Redis's and load shedding's 503, the gate's or a queue's 429. */
export function qstashResponses(): Record<string, JsonObject> {
  const retryAfter = { 'Retry-After': { description: 'Seconds to wait before sending again.', schema: { type: 'integer', minimum: 0 } } };
  return {
    QstashUnavailable: {
      description: 'Redis is unreachable or did not answer within REDIS_TIMEOUT_MS (`{"error"}`), or the api is past its capacity (Knocker\'s `overloaded` answer).',
      headers: retryAfter,
      content: { 'application/json': { schema: { oneOf: [ref('QstashError'), errorSchema(['overloaded'])] } } },
    },
    QstashLineFull: {
      description: `MAX_INFLIGHT requests are in flight (Knocker's \`too_many_requests\`), or the queue holds ${ORDER_LINE_MAX} messages not delivered yet (\`{"error"}\`, ORDER_LINE_MAX): that message was not stored.`,
      headers: retryAfter,
      content: { 'application/json': { schema: { oneOf: [ref('QstashError'), errorSchema(['too_many_requests'])] } } },
    },
  };
}
