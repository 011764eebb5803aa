import type { JsonObject, OpenApiOptions } from './options.js';
import { adminResponses, error, json } from './responses.js';
import { schemaRef as ref } from './schemas.js';

const dateTime: JsonObject = { type: 'string', format: 'date-time' };
const nextTick: JsonObject = { type: ['string', 'null'], format: 'date-time', description: 'When the next tick is due; null while paused.' };
const state: JsonObject = { enum: ['active', 'paused'] };

const summaryProperties: Record<string, JsonObject> = {
  id: ref('ScheduleId'),
  cron: { type: 'string', description: 'Knocker-Cron as it was sent, `CRON_TZ=` included.' },
  timezone: { type: 'string', description: 'The IANA zone of the ticks, in its canonical spelling; `UTC` without `CRON_TZ=`.' },
  state,
  next: nextTick,
  method: { type: 'string' },
  url: { type: 'string', format: 'uri' },
  created_at: dateTime,
  updated_at: { ...dateTime, description: 'The last time a request with this Knocker-Id replaced the definition.' },
};
const summaryRequired = Object.keys(summaryProperties);

/** The bodies of the schedule answers. */
export function scheduleSchemas(): Record<string, JsonObject> {
  return {
    ScheduleId: {
      type: 'string',
      pattern: '^[A-Za-z0-9][A-Za-z0-9._~/+=@-]{0,113}$',
      description: "A request id of at most 114 characters: each tick's request is `<schedule id>@<tick time in ms>`, 14 more.",
    },
    ScheduleAccepted: {
      type: 'object',
      required: ['status', 'schedule', 'config', 'url', 'method', 'headers', 'body-length'],
      additionalProperties: false,
      description: 'The answer to a request with Knocker-Cron: a schedule is stored, and nothing is delivered now.',
      properties: {
        status: { const: true },
        schedule: {
          type: 'object',
          required: ['id', 'cron', 'timezone', 'next', 'state'],
          additionalProperties: false,
          properties: { id: ref('ScheduleId'), cron: summaryProperties['cron'] as JsonObject, timezone: summaryProperties['timezone'] as JsonObject, next: nextTick, state },
        },
        replaced: { const: true, description: 'A schedule with this Knocker-Id existed: its definition is replaced, its state and creation time kept.' },
        config: ref('KnockConfig'),
        url: { type: 'string', format: 'uri', description: 'Where each tick delivers.' },
        method: { type: 'string' },
        headers: ref('HeaderPairs'),
        'body-length': { type: 'integer', minimum: 0 },
      },
    },
    ScheduleSummary: { type: 'object', required: summaryRequired, additionalProperties: false, properties: summaryProperties },
    ScheduleList: {
      type: 'object',
      required: ['status', 'schedules'],
      additionalProperties: false,
      properties: { status: { const: true }, schedules: { type: 'array', items: ref('ScheduleSummary') } },
    },
    ScheduleInspection: {
      type: 'object',
      required: ['status', 'schedule', 'last_requests'],
      additionalProperties: false,
      properties: {
        status: { const: true },
        schedule: {
          type: 'object',
          required: [...summaryRequired, 'next_ticks', 'config', 'headers', 'body-length'],
          additionalProperties: false,
          properties: {
            ...summaryProperties,
            next_ticks: { type: 'array', items: dateTime, maxItems: 5, description: 'The next five ticks; empty while paused.' },
            config: ref('KnockConfig'),
            headers: ref('HeaderPairs'),
            'body-length': { type: 'integer', minimum: 0 },
          },
        },
        last_requests: {
          type: 'array',
          maxItems: 20,
          description: 'The requests of the last ticks, newest first.',
          items: {
            type: 'object',
            required: ['id', 'state', 'created_at'],
            additionalProperties: false,
            properties: {
              id: ref('RequestId'),
              state: { oneOf: [ref('RequestState'), { const: 'gone', description: 'Removed after RETAIN_*.' }] },
              created_at: { type: ['string', 'null'], format: 'date-time' },
            },
          },
        },
      },
    },
    ScheduleStateChange: {
      type: 'object',
      required: ['status', 'id', 'state', 'next'],
      additionalProperties: false,
      properties: { status: { const: true }, id: ref('ScheduleId'), state, next: nextTick },
    },
    ScheduleDeleted: {
      type: 'object',
      required: ['status', 'id', 'state'],
      additionalProperties: false,
      properties: { status: { const: true }, id: ref('ScheduleId'), state: { const: 'deleted' } },
    },
  };
}

const idParam: JsonObject = {
  name: 'id',
  in: 'path',
  required: true,
  description: "The schedule's id (its Knocker-Id), URL-encoded: write a `/` in an id as `%2F`.",
  schema: ref('RequestId'),
};

/** GET, DELETE, pause and resume of the schedules a Knocker-Cron stored; behind the admin key. */
export function schedulePaths(o: OpenApiOptions): Record<string, JsonObject> {
  const p = `${o.reservedPrefix}/schedules`;
  const security = [{ AdminKey: [] }];
  const notFound = { '404': error('No schedule has this id: it was never stored, or it was deleted.', 'not_found') };
  const setState = (to: 'paused' | 'active'): JsonObject => ({
    operationId: to === 'paused' ? 'pauseSchedule' : 'resumeSchedule',
    tags: ['schedules'],
    summary: to === 'paused' ? 'Pause a schedule' : 'Resume a schedule',
    description: to === 'paused'
      ? 'No tick fires until it is resumed; the definition is kept. Pausing a paused schedule changes nothing.'
      : 'Ticks fire again from the next one due; ticks missed while paused are not made up for.',
    security,
    responses: adminResponses({ '200': json(to === 'paused' ? 'Paused; `next` is null.' : 'Active; `next` is the next tick.', ref('ScheduleStateChange')), ...notFound }),
  });
  return {
    [p]: {
      get: {
        operationId: 'listSchedules',
        tags: ['schedules'],
        summary: 'List the schedules',
        description: 'Every stored schedule (at most SCHEDULES_MAX), active and paused. A schedule is created or replaced by relaying a request with Knocker-Cron.',
        security,
        responses: adminResponses({ '200': json('The schedules.', ref('ScheduleList')) }, { id: false }),
      },
    },
    [`${p}/{id}`]: {
      parameters: [idParam],
      get: {
        operationId: 'inspectSchedule',
        tags: ['schedules'],
        summary: 'Inspect a schedule',
        description: 'Its definition, the request each tick sends, its next ticks and the requests of its last ticks.',
        security,
        responses: adminResponses({ '200': json('The schedule.', ref('ScheduleInspection')), ...notFound }),
      },
      delete: {
        operationId: 'deleteSchedule',
        tags: ['schedules'],
        summary: 'Delete a schedule',
        description: 'No further tick fires; the requests of past ticks are kept as any request is.',
        security,
        responses: adminResponses({ '200': json('Deleted.', ref('ScheduleDeleted')), ...notFound }),
      },
    },
    [`${p}/{id}/pause`]: { parameters: [idParam], post: setState('paused') },
    [`${p}/{id}/resume`]: { parameters: [idParam], post: setState('active') },
  };
}
