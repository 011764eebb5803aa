import type { JsonObject, OpenApiOptions } from './options.js';
import { json, response, serverErrors } from './responses.js';
import { errorSchema, schemaRef as ref } from './schemas.js';

// What the door's operations share: its security, answers, publish headers and parameters.

/** Where the door lives: the SDK's `baseUrl` is `<api>/<RESERVED_PREFIX>/qstash`. */
export const qstashBase = (o: Pick<OpenApiOptions, 'reservedPrefix'>): string => `${o.reservedPrefix.replace(/\/+$/, '')}/qstash`;

/** A QStash refusal, `{"error": ...}`. */
export const refusal = (description: string): JsonObject => json(description, ref('QstashError'));

/** What every door route may answer besides its own: the token, the gate, Redis, the unexpected. */
export function doorResponses(own: Record<string, JsonObject>): Record<string, JsonObject> {
  return {
    ...own,
    '401': refusal('Authorization is missing, or is not `Bearer <one of QSTASH_TOKENS>`.'),
    '429': response('TooManyRequests'),
    '503': response('QstashUnavailable'),
    ...serverErrors,
  };
}

export const security = [{ QstashToken: [] }];
export const tags = ['qstash'];

export const param = (name: string, description: string, schema: JsonObject = { type: 'string' }): JsonObject => ({ name, in: 'path', required: true, description, schema });
/** A destination pasted raw by the SDK: it takes the rest of the path, `//` and query included. */
export const destinationParam = param('destination', 'A URL pasted as is (`https://api.example/hook?x=1`: the query is the destination\'s), or a URL group\'s name.');
/** The route matches a raw destination by prefix, outside the api's route table. */
export const RAW = { 'x-knocker-raw-destination': true };

export const header = (name: string, description: string, schema: JsonObject = { type: 'string' }): JsonObject => ({ name, in: 'header', required: false, description, schema });

/** The headers a publish (and a batch item, a schedule, an enqueue) reads; docs/qstash.md says what each does here. */
export function publishHeaders(o: OpenApiOptions): JsonObject[] {
  return [
    header('Upstash-Method', 'The method the destination receives.', { enum: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD'], default: 'POST' }),
    header('Upstash-Delay', `A duration (\`10s\`, \`5m\`, \`1d10h30m\`), at most ${o.delayMax} seconds (DELAY_MAX).`),
    header('Upstash-Not-Before', 'Unix seconds; wins over Upstash-Delay.', { type: 'string', pattern: '^\\d{1,12}$' }),
    header('Upstash-Retries', `Retries after the first attempt, 0 to ${o.retriesMax} (RETRIES_MAX).`, { type: 'string', pattern: '^\\d{1,6}$', default: '3' }),
    header('Upstash-Timeout', `Each attempt's timeout, a duration of at most ${o.timeoutMax} seconds (TIMEOUT_MAX).`),
    header('Upstash-Callback', 'A URL called once the message is delivered, with QStash\'s callback body.'),
    header('Upstash-Failure-Callback', 'A URL called once every attempt failed, with QStash\'s callback body and `dlqId`.'),
    header('Upstash-Deduplication-Id', '1 to 256 characters: a second publish with it answers 202 with the first message\'s id.'),
    header('Upstash-Content-Based-Deduplication', 'The id is a hash of destination, method, body and forwarded headers.', { enum: ['true', 'false'] }),
    header('Upstash-Flow-Control-Key', 'Knocker\'s flow key: HOST_LIMITS, HOST_CONCURRENCY and HOST_RATE apply to it.'),
    header('Upstash-Flow-Control-Value', '`parallelism=<n>, rate=<n>, period=<d>`: checked, not applied.'),
    header('Upstash-Label', 'Comma-separated labels of 1 to 64 letters, digits, `_`, `.` or `-`; kept with the message.'),
  ];
}

/** The answers of a publish (and of an enqueue). */
export function publishResponses(o: OpenApiOptions): Record<string, JsonObject> {
  return doorResponses({
    '200': json('Stored before this answer: `{messageId, url}`, or one per endpoint of a URL group.', ref('QstashPublishAnswer')),
    '202': json('A duplicate (Upstash-Deduplication-Id or content): not stored again, answered with the first message\'s id and `deduplicated: true`.', ref('QstashPublishAnswer')),
    '400': refusal('A header or the destination is wrong, or not supported here (Upstash-Retry-Delay, Upstash-Redact-Fields, Upstash-Callback-* settings): the error names it.'),
    '404': refusal('The destination names a URL group that does not exist.'),
    '413': refusal(`The body is larger than ${o.maxBodySize} bytes (MAX_BODY_SIZE).`),
  });
}

export function publishBody(o: OpenApiOptions): JsonObject {
  return { description: `Any bytes, at most ${o.maxBodySize} (MAX_BODY_SIZE), delivered byte for byte with its Content-Type.`, content: { '*/*': { schema: {} } } };
}

/** Shared answers of the door: Redis's and load shedding's 503. */
export function qstashResponses(): Record<string, JsonObject> {
  return {
    QstashUnavailable: {
      description: 'Redis is unreachable or did not answer within REDIS_TIMEOUT_MS (`{"error"}`), or the api is past its capacity (Knocker\'s `overloaded` answer).',
      headers: { 'Retry-After': { description: 'Seconds to wait before sending again.', schema: { type: 'integer', minimum: 0 } } },
      content: { 'application/json': { schema: { oneOf: [ref('QstashError'), errorSchema(['overloaded'])] } } },
    },
  };
}
