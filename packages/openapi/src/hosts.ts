import { LISTED_KEYS } from '@knocker/contract';
import type { JsonObject, OpenApiOptions } from './options.js';
import { adminResponses, error, json } from './responses.js';
import { schemaRef as ref } from './schemas.js';

const count: JsonObject = { type: 'integer', minimum: 0 };
const limits: JsonObject = {
  type: 'object',
  required: ['concurrency', 'rate'],
  additionalProperties: false,
  properties: {
    concurrency: { ...count, description: 'Attempts in flight at once, across every worker; 0 for no limit.' },
    rate: { type: 'number', minimum: 0, description: 'Attempts started per second, across every worker; 0 for no limit.' },
  },
};

/** The bodies of the flow-control answers. */
export function hostSchemas(): Record<string, JsonObject> {
  return {
    FlowLimits: limits,
    HostView: {
      type: 'object',
      required: ['key', 'in_flight', 'waiting', 'limits', 'paused', 'breaker'],
      additionalProperties: false,
      properties: {
        key: ref('FlowKey'),
        in_flight: count,
        waiting: { ...count, description: 'Requests held back by a limit, the pause or the breaker.' },
        limits: { oneOf: [{ type: 'null' }, ref('FlowLimits')], description: 'The limits the workers last applied to the key; null before any.' },
        paused: { type: 'boolean' },
        breaker: {
          type: 'object',
          required: ['state', 'consecutive_failures', 'trips', 'until'],
          additionalProperties: false,
          properties: {
            state: { enum: ['closed', 'open', 'half-open'] },
            consecutive_failures: count,
            trips: { ...count, description: 'Times it opened in a row; each doubles the cooldown.' },
            until: { type: ['string', 'null'], format: 'date-time', description: 'While open: when it lets one probe through.' },
          },
        },
      },
    },
    HostList: {
      type: 'object',
      required: ['status', 'flow_control', 'defaults', 'breaker', 'hosts'],
      additionalProperties: false,
      properties: {
        status: { const: true },
        flow_control: { type: 'boolean', description: 'False when no limit and no breaker is configured: workers then skip flow control.' },
        defaults: { ...limits, description: 'HOST_CONCURRENCY and HOST_RATE.' },
        breaker: {
          type: 'object',
          required: ['failures', 'cooldown', 'cooldown_max'],
          additionalProperties: false,
          properties: {
            failures: { ...count, description: 'BREAKER_FAILURES; 0 for no breaker.' },
            cooldown: { type: 'number', minimum: 0, description: 'BREAKER_COOLDOWN, seconds.' },
            cooldown_max: { type: 'number', minimum: 0, description: 'BREAKER_COOLDOWN_MAX, seconds.' },
          },
        },
        hosts: { type: 'array', items: ref('HostView'), maxItems: LISTED_KEYS, description: `Flow keys with work, the most waiting first; at most ${LISTED_KEYS}.` },
      },
    },
    HostPaused: {
      type: 'object',
      required: ['status', 'key', 'paused'],
      additionalProperties: false,
      properties: { status: { const: true }, key: ref('FlowKey'), paused: { type: 'boolean' } },
    },
  };
}

/** The flow keys (a target's host:port, or a Knocker-Flow-Key) and their pause; behind the admin key. */
export function hostPaths(o: OpenApiOptions): Record<string, JsonObject> {
  const p = `${o.reservedPrefix}/hosts`;
  const security = [{ AdminKey: [] }];
  const keyParam: JsonObject = {
    name: 'key', in: 'path', required: true, schema: ref('FlowKey'),
    description: "A target's `host:port` or a Knocker-Flow-Key, URL-encoded: write a `/` in a key as `%2F`.",
  };
  const pause = (paused: boolean): JsonObject => ({
    operationId: paused ? 'pauseHost' : 'resumeHost',
    tags: ['hosts'],
    summary: paused ? 'Pause deliveries to a flow key' : 'Resume deliveries to a flow key',
    description: paused
      ? 'Attempts under way finish; new and retried requests to the key wait, spending no attempt, until it is resumed. A key with no work yet can be paused too.'
      : 'The waiting requests go again, oldest first, within the limits.',
    security,
    responses: adminResponses({
      '200': json(paused ? 'Paused.' : 'Resumed.', ref('HostPaused')),
      '400': error('The key is not a possible flow key.', 'invalid_request'),
      '409': error('Flow control is off (no HOST_CONCURRENCY, HOST_RATE, HOST_LIMITS or BREAKER_FAILURES): a pause would not apply.', 'flow_control_off'),
    }, { id: false, allow: false }),
  });
  return {
    [p]: {
      get: {
        operationId: 'listHosts',
        tags: ['hosts'],
        summary: 'List the flow keys with work',
        description: 'Each key with requests in flight or waiting, paused, or with a breaker not closed, with its limits and breaker; and the configured defaults.',
        security,
        responses: adminResponses({ '200': json('The flow keys.', ref('HostList')) }, { id: false, allow: false }),
      },
    },
    [`${p}/{key}/pause`]: { parameters: [keyParam], post: pause(true) },
    [`${p}/{key}/resume`]: { parameters: [keyParam], post: pause(false) },
  };
}
