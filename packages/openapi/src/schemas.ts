import { ERRORS } from '@knocker/contract';
import type { JsonObject } from './options.js';

const ref = (name: string): JsonObject => ({ $ref: `#/components/schemas/${name}` });
export const schemaRef = ref;

/** Every error code an answer can carry, with the status it comes with (packages/contract). */
export const ERROR_CODES: Record<string, string> = Object.fromEntries(
  Object.entries(ERRORS).map(([code, e]) => [code, `${e.status}: ${e.description}`]),
);

/** An error body whose `code` is one of `codes`. */
export function errorSchema(codes: readonly string[]): JsonObject {
  return {
    allOf: [ref('Error'), { type: 'object', properties: { code: { enum: [...codes] } } }],
  };
}

const attempt: JsonObject = {
  type: 'object',
  required: ['attempt', 'started_at', 'duration_ms', 'status_code', 'error', 'error_code', 'error_message'],
  additionalProperties: false,
  properties: {
    attempt: { type: 'integer', minimum: 1, description: 'Counts from 1 in each run; a replay starts again at 1.' },
    started_at: { type: 'string', format: 'date-time' },
    duration_ms: { type: 'number', minimum: 0 },
    status_code: { type: 'integer', description: "The HTTP status, or Knocker's 502 (refused or reset), 503 (other network error), 504 (timeout), 403 (address refused), 999 (unexpected)." },
    error: { type: ['string', 'null'], description: "Knocker's reason for a failure; null for a success." },
    error_code: { type: ['string', 'null'], description: 'What the target sent in Knocker-Error-Code.' },
    error_message: { type: ['string', 'null'], description: 'What the target sent in Knocker-Error-Message.' },
  },
};

function knockConfig(withCallback: boolean): JsonObject {
  const required = ['id', 'host', 'scheme', 'timeout', 'retries', 'backoff_factor'];
  return {
    type: 'object',
    description: withCallback ? 'How the request is delivered.' : 'The request config without its callback, custom Knocker-* headers inside.',
    required: withCallback ? [...required, 'callback'] : required,
    properties: {
      id: ref('RequestId'),
      host: { type: 'string', description: 'Knocker-Host, lower-case, port kept.' },
      scheme: { enum: ['http', 'https'] },
      timeout: { type: 'number', exclusiveMinimum: 0 },
      retries: { type: 'integer', minimum: 0 },
      backoff_factor: { type: 'number', minimum: 0 },
      ...(withCallback ? { callback: { type: ['string', 'null'], format: 'uri' } } : {}),
      catch: { type: 'array', items: { type: 'string' }, description: 'Knocker-Catch patterns; absent when not given.' },
      success_callback: { type: 'string', format: 'uri', description: 'Knocker-Success-Callback; absent when not given.' },
      flow_key: { ...ref('FlowKey'), description: 'Knocker-Flow-Key; absent when not given.' },
      retry_on: { type: 'array', items: { type: 'string', pattern: '^([1-5][0-9][0-9]|[1-5]xx|network)$' }, description: 'Knocker-Retry-On entries, lower case; absent when not given.' },
    },
    patternProperties: { '^knocker-': { type: 'string', description: 'Any other Knocker-* header, values joined with ", ".' } },
    additionalProperties: false,
  };
}

export function schemas(): Record<string, JsonObject> {
  return {
    Error: {
      type: 'object',
      required: ['status', 'code', 'errors'],
      additionalProperties: false,
      properties: {
        status: { const: false },
        code: { type: 'string', enum: Object.keys(ERROR_CODES), description: Object.entries(ERROR_CODES).map(([c, d]) => `- \`${c}\`: ${d}`).join('\n') },
        errors: {
          type: 'object',
          minProperties: 1,
          additionalProperties: { type: 'array', items: { type: 'string' }, minItems: 1 },
          description: "The messages about each wrong field, keyed by its lower-case header name (`knocker-retries`) or by `path`, `id`, `body`, `queue`, `server`…: a list per field, as in Knocker 1.4.1, whose clients read `errors[field][0]`. Knocker gives one message per field.",
        },
      },
    },
    KnockConfig: knockConfig(true),
    CallbackConfig: knockConfig(false),
    RequestId: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9._~/+=@-]{0,127}(~~[A-Za-z0-9][A-Za-z0-9._-]{0,31})?$',
      description: "1 to 128 of `A-Z a-z 0-9 . _ ~ / + = @ -`, starting with a letter or digit; a group request's copy adds `~~<endpoint name>`. Generated ids are 32 hex characters.",
    },
    FlowKey: {
      type: 'string',
      pattern: '^[A-Za-z0-9\\[][A-Za-z0-9._~:@/+=\\[\\]-]{0,127}$',
      description: '1 to 128 of `A-Z a-z 0-9 . _ ~ : @ / + = - [ ]`, starting with a letter, digit or `[`.',
    },
    HeaderPairs: {
      type: 'array',
      items: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'string' }], minItems: 2, maxItems: 2, items: false },
      description: 'The headers sent to the target, in order, repeats kept, names lower-case: `[name, value]` pairs.',
    },
    Accepted: {
      type: 'object',
      required: ['status', 'config', 'url', 'method', 'headers', 'body-length'],
      additionalProperties: false,
      properties: {
        status: { const: true },
        config: ref('KnockConfig'),
        url: { type: 'string', format: 'uri', description: 'Where the request is delivered.' },
        method: { type: 'string' },
        headers: ref('HeaderPairs'),
        'body-length': { type: 'integer', minimum: 0 },
        not_before: { type: 'string', format: 'date-time', description: 'With Knocker-Delay or Knocker-Not-Before: when the first attempt may start.' },
        order_key: { ...ref('OrderKey'), description: 'With Knocker-Order-Key: the line the request waits in.' },
      },
    },
    Duplicate: {
      type: 'object',
      required: ['status', 'duplicate', 'id', 'state'],
      additionalProperties: false,
      description: 'The Knocker-Id was still known: nothing was stored. Says only where the stored request is, never what its sender sent.',
      properties: {
        status: { const: true },
        duplicate: { const: true },
        id: ref('RequestId'),
        state: ref('RequestState'),
      },
    },
    RequestState: { enum: ['waiting', 'delayed', 'active', 'delivered', 'failed', 'cancelled'] },
    Attempt: attempt,
    Inspection: {
      type: 'object',
      required: ['status', 'id', 'state', 'method', 'url', 'config', 'created_at', 'replays', 'attempts', 'logs', 'callback'],
      additionalProperties: false,
      properties: {
        status: { const: true },
        id: ref('RequestId'),
        state: ref('RequestState'),
        method: { type: 'string' },
        url: { type: 'string', format: 'uri' },
        config: ref('KnockConfig'),
        created_at: { type: 'string', format: 'date-time' },
        not_before: { type: 'string', format: 'date-time', description: 'A delayed request: when its first attempt may start.' },
        group: { type: 'string', description: 'A copy of a group request (Knocker-Group): the group it was sent to.' },
        replays: { type: 'integer', minimum: 0 },
        attempts: { type: 'array', items: ref('Attempt'), description: 'Every attempt so far, replays included.' },
        logs: { type: 'array', items: { type: 'string' }, description: 'Lines added with POST <prefix>/log, each stamped with the time it arrived.' },
        callback: {
          oneOf: [{ type: 'null' }, ref('CallbackProgress')],
          description: 'Null without Knocker-Callback; else the callback of the current run.',
        },
        success_callback: { ...ref('CallbackProgress'), description: 'With Knocker-Success-Callback: the call made once the request is delivered.' },
      },
    },
    CallbackProgress: {
      type: 'object',
      required: ['url', 'state', 'attempts'],
      additionalProperties: false,
      properties: {
        url: { type: 'string', format: 'uri' },
        state: { enum: ['none', 'pending', 'sent', 'failed'], description: '`none` until there is a callback to send.' },
        attempts: { type: 'integer', minimum: 0 },
      },
    },
    StateChange: {
      type: 'object',
      required: ['status', 'id', 'state'],
      additionalProperties: false,
      properties: { status: { const: true }, id: ref('RequestId'), state: ref('RequestState') },
    },
    LogAppended: {
      type: 'object',
      required: ['status', 'id', 'lines'],
      additionalProperties: false,
      properties: { status: { const: true }, id: ref('RequestId'), lines: { type: 'integer', minimum: 1, description: 'Lines the log holds now.' } },
    },
    JobCounts: { type: 'object', additionalProperties: { type: 'integer', minimum: 0 }, description: "BullMQ's job counts by state." },
    Status: {
      type: 'object',
      required: ['status', 'version', 'worker', 'tasks', 'processed', 'delivered', 'failed', 'queues', 'schedules'],
      additionalProperties: false,
      properties: {
        status: { const: true },
        version: { type: 'string' },
        worker: { type: 'string', description: 'The answering api process, `host:pid`.' },
        tasks: { type: 'integer', minimum: 0, description: 'Requests not finished yet: waiting, prioritized, delayed or active.' },
        processed: { type: 'integer', minimum: 0, description: 'Requests that finished, delivered or failed, since the queue was created.' },
        delivered: { type: 'integer', minimum: 0 },
        failed: { type: 'integer', minimum: 0 },
        queues: {
          type: 'object',
          required: ['requests', 'callbacks'],
          additionalProperties: false,
          properties: { requests: ref('JobCounts'), callbacks: ref('JobCounts') },
        },
        schedules: {
          type: 'object',
          required: ['active', 'paused'],
          properties: { active: { type: 'integer', minimum: 0 }, paused: { type: 'integer', minimum: 0 } },
          description: 'Stored schedules (Knocker-Cron), running and paused.',
        },
      },
    },
    HealthReport: {
      type: 'object',
      required: ['checks', 'startedAtUtc', 'endAtUtc', 'code', 'reason'],
      description: "BeatPulse's detailed answer (HEALTH_DETAILED=true).",
      properties: {
        checks: {
          type: 'array',
          items: {
            type: 'object',
            required: ['name', 'path', 'message', 'milliSeconds', 'run', 'isHealthy'],
            properties: {
              name: { type: 'string' }, path: { type: 'string' }, message: { type: 'string' },
              milliSeconds: { type: 'number' }, run: { type: 'boolean' }, isHealthy: { type: 'boolean' },
            },
          },
        },
        startedAtUtc: { type: 'string', format: 'date-time' },
        endAtUtc: { type: 'string', format: 'date-time' },
        code: { enum: ['200', '503'] },
        reason: { type: 'string' },
      },
    },
    SuccessCallback: {
      type: 'object',
      required: ['id', 'url', 'method', 'status_code', 'attempts', 'duration_ms', 'headers', 'body', 'body_truncated'],
      additionalProperties: false,
      properties: {
        id: ref('RequestId'),
        url: { type: 'string', format: 'uri', description: 'Where the request was delivered.' },
        method: { type: 'string' },
        status_code: { type: 'integer', minimum: 100, maximum: 399, description: "The target's status." },
        attempts: { type: 'integer', minimum: 1, description: 'Attempts made in the run that succeeded.' },
        duration_ms: { type: 'number', minimum: 0, description: 'Of the attempt that succeeded.' },
        headers: { ...ref('HeaderPairs'), description: "The target's answer headers, names lower-case, repeats kept, as `[name, value]` pairs." },
        body: { type: 'string', contentEncoding: 'base64', description: "The target's answer body, base64, at most SUCCESS_CALLBACK_MAX_BODY bytes of it." },
        body_truncated: { type: 'boolean', description: 'True when the body was longer than SUCCESS_CALLBACK_MAX_BODY and is cut.' },
      },
    },
    FailureCallback: {
      type: 'object',
      required: ['config', 'method', 'url', 'status_code', 'attempts'],
      additionalProperties: false,
      properties: {
        config: ref('CallbackConfig'),
        method: { type: 'string' },
        url: { type: 'string', format: 'uri' },
        status_code: { type: 'integer', description: 'The last HTTP status, or 502, 503, 504, 403, 999 as for attempts.' },
        attempts: { type: 'integer', minimum: 1, description: 'Attempts made in the run that failed.' },
        error: {
          oneOf: [
            { enum: ['address_refused', 'redirect_refused', 'worker_lost', 'no_retry', 'outside_retry_on', 'token_unavailable'] },
            { type: 'string', pattern: '^[A-Z][A-Z0-9_]{2,63}$', description: 'A TLS certificate failure, as Node names it: CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, DEPTH_ZERO_SELF_SIGNED_CERT, ERR_TLS_CERT_ALTNAME_INVALID, ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED, …' },
          ],
          description: 'Set when the request ended before its attempts were spent: the address was refused, the target redirected where Knocker does not follow, workers kept dying, the target answered Knocker-No-Retry: true, or the failure was outside Knocker-Retry-On. Also set when the last attempt failed getting a token for the target (token_unavailable) or on a certificate (its error code).',
        },
        error_code: { type: 'string', description: 'Present when the last answer reported an error.' },
        error_message: { type: ['string', 'null'] },
      },
    },
  };
}
