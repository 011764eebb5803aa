import { errorEntry, type ErrorCode } from '@knocker/contract';
import type { JsonObject } from './options.js';

const retryAfter: JsonObject = {
  'Retry-After': { description: 'Seconds to wait before sending again.', schema: { type: 'integer', minimum: 0 } },
};
import { errorSchema, schemaRef } from './schemas.js';

export function json(description: string, schema: JsonObject, headers?: JsonObject): JsonObject {
  return { description, ...(headers ? { headers } : {}), content: { 'application/json': { schema } } };
}

/** An error answer with one of `codes`; with Retry-After when those codes send it (packages/contract). */
export const error = (description: string, ...codes: ErrorCode[]): JsonObject =>
  json(description, errorSchema(codes), codes.some((c) => errorEntry(c)?.retryAfter !== undefined) ? retryAfter : undefined);
export const response = (name: string): JsonObject => ({ $ref: `#/components/responses/${name}` });


/** Answers shared by many operations. */
export function sharedResponses(): Record<string, JsonObject> {
  return {
    QueueUnavailable: error('Redis is unreachable or did not answer within REDIS_TIMEOUT_MS.', 'queue_unavailable'),
    RelayUnavailable: error('Redis is unreachable or slow (queue_unavailable), or the api is past its capacity (overloaded).', 'queue_unavailable', 'overloaded'),
    TooManyRequests: error("MAX_INFLIGHT requests (relayed, or to Knocker's own routes but health and metrics) are already being handled.", 'too_many_requests'),
    InternalError: error('An unexpected error, reported to the operators.', 'internal_error'),
    WriteTimeout: error('The answer was not finished within WRITE_TIMEOUT.', 'write_timeout'),
    AdminUnauthorized: error('Knocker-Admin-Key is missing or does not match ADMIN_API_KEY.', 'unauthorized'),
    AdminDisabled: error('No ADMIN_API_KEY is configured: the admin routes are off.', 'admin_disabled'),
    MethodNotAllowed: {
      ...error('Another method on this reserved route; it is never relayed.', 'method_not_allowed'),
      headers: { Allow: { description: 'The methods this route answers.', schema: { type: 'string' } } },
    },
    NotFound: error('No request has this id: it was never accepted, or it finished and was removed (RETAIN_*).', 'not_found'),
    BadId: error('The id is not a possible request id.', 'invalid_request'),
  };
}

/** What every answer of the api may also be. */
export const serverErrors: Record<string, JsonObject> = { '500': response('InternalError'), '504': response('WriteTimeout') };

/** The in-flight gate's refusals and Redis's: what a route behind MAX_INFLIGHT and load shedding may also answer. */
export const gatedErrors: Record<string, JsonObject> = { '429': response('TooManyRequests'), '503': response('RelayUnavailable') };

/**
 * The answers of an admin route: the admin key's refusals, Redis's, and with `id` those of a
 * route naming a request or schedule by id.
 */
export function adminResponses(extra: Record<string, JsonObject>, o: { id?: boolean; allow?: boolean } = {}): Record<string, JsonObject> {
  return {
    ...(o.id === false ? {} : { '400': response('BadId') }),
    '401': response('AdminUnauthorized'),
    '403': response('AdminDisabled'),
    ...(o.id === false ? {} : { '404': response('NotFound') }),
    ...(o.allow === false ? {} : { '405': response('MethodNotAllowed') }),
    ...extra,
    ...gatedErrors,
    ...serverErrors,
  };
}

export const stateChange = (state: string, description: string): JsonObject =>
  json(description, { allOf: [schemaRef('StateChange'), { type: 'object', properties: { state: { const: state } } }] });
