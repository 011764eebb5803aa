import { ENDPOINT_URL_MAX, GROUP_BODY_MAX_BYTES, GROUP_ENDPOINTS_MAX, GROUPS_MAX } from '@knocker/contract';
import type { JsonObject, OpenApiOptions } from './options.js';
import { adminResponses, error, json } from './responses.js';
import { schemaRef as ref } from './schemas.js';

const dateTime: JsonObject = { type: 'string', format: 'date-time' };
const endpoint: JsonObject = {
  type: 'object',
  required: ['name', 'url'],
  additionalProperties: false,
  properties: { name: ref('EndpointName'), url: ref('EndpointUrl') },
};
const groupAnswer = (extra: Record<string, JsonObject> = {}): JsonObject => ({
  type: 'object',
  required: ['status', 'group'],
  additionalProperties: false,
  properties: { status: { const: true }, group: ref('Group'), ...extra },
});

/** The bodies of the group routes, and the relay's answers to a request with Knocker-Group. */
export function groupSchemas(): Record<string, JsonObject> {
  return {
    GroupName: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: '1 to 64 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit.' },
    EndpointName: {
      type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$',
      description: "1 to 32 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit; unique in its group. A copy's id is `<request id>~~<endpoint name>`.",
    },
    EndpointUrl: {
      type: 'string', format: 'uri', maxLength: ENDPOINT_URL_MAX, pattern: '^[hH][tT][tT][pP][sS]?://[^/?#@\\s]+(/[^?#\\s]*)?$',
      description: 'An origin with an optional path prefix; no user info, query or fragment. Its host passes HOSTS_ONLY and the address policy, as Knocker-Host does. Stored normalized.',
    },
    Endpoint: endpoint,
    Group: {
      type: 'object',
      required: ['name', 'endpoints', 'created_at', 'updated_at'],
      additionalProperties: false,
      properties: { name: ref('GroupName'), endpoints: { type: 'array', maxItems: GROUP_ENDPOINTS_MAX, items: ref('Endpoint') }, created_at: dateTime, updated_at: dateTime },
    },
    GroupDefinition: {
      type: 'object',
      required: ['endpoints'],
      additionalProperties: false,
      properties: { endpoints: { type: 'array', maxItems: GROUP_ENDPOINTS_MAX, items: ref('Endpoint') } },
    },
    EndpointDefinition: { type: 'object', required: ['url'], additionalProperties: false, properties: { url: ref('EndpointUrl') } },
    GroupAnswer: groupAnswer({ replaced: { const: true, description: 'The group (or the endpoint) existed and was replaced.' } }),
    GroupList: {
      type: 'object',
      required: ['status', 'groups'],
      additionalProperties: false,
      properties: { status: { const: true }, groups: { type: 'array', maxItems: GROUPS_MAX, items: ref('Group') } },
    },
    GroupDeleted: {
      type: 'object',
      required: ['status', 'name', 'state'],
      additionalProperties: false,
      properties: { status: { const: true }, name: ref('GroupName'), state: { const: 'deleted' } },
    },
    GroupAccepted: {
      type: 'object',
      required: ['status', 'id', 'group', 'requests', 'config', 'method', 'headers', 'body-length'],
      additionalProperties: false,
      description: 'The answer to a request with Knocker-Group: one copy stored per endpoint, all in one step.',
      properties: {
        status: { const: true },
        id: ref('RequestId'),
        group: ref('GroupName'),
        requests: {
          type: 'array', minItems: 1, maxItems: GROUP_ENDPOINTS_MAX,
          items: { type: 'object', required: ['id', 'url'], additionalProperties: false, properties: { id: ref('RequestId'), url: { type: 'string', format: 'uri' } } },
        },
        config: {
          type: 'object', required: ['id', 'timeout', 'retries', 'backoff_factor', 'callback'],
          description: "The config every copy shares: KnockConfig without host and scheme, which are each endpoint's.",
        },
        method: { type: 'string' },
        headers: ref('HeaderPairs'),
        'body-length': { type: 'integer', minimum: 0 },
        not_before: { type: 'string', format: 'date-time' },
      },
    },
    GroupDuplicate: {
      type: 'object',
      required: ['status', 'duplicate', 'id', 'group', 'requests'],
      additionalProperties: false,
      description: 'Copies of a group request with this Knocker-Id are still stored: nothing more was. Their ids and states only.',
      properties: {
        status: { const: true },
        duplicate: { const: true },
        id: ref('RequestId'),
        group: ref('GroupName'),
        requests: {
          type: 'array', minItems: 1,
          items: { type: 'object', required: ['id', 'state'], additionalProperties: false, properties: { id: ref('RequestId'), state: ref('RequestState') } },
        },
      },
    },
  };
}

const param = (name: string, schema: string, description: string): JsonObject => ({ name, in: 'path', required: true, description, schema: ref(schema) });
const body = (schema: string, description: string): JsonObject => ({ required: true, description, content: { 'application/json': { schema: ref(schema) } } });

/** The fan-out groups Knocker-Group names; behind the admin key. */
export function groupPaths(o: OpenApiOptions): Record<string, JsonObject> {
  const p = `${o.reservedPrefix}/groups`;
  const security = [{ AdminKey: [] }];
  const op = (operationId: string, summary: string, description: string, responses: Record<string, JsonObject>, extra: JsonObject = {}): JsonObject => ({
    operationId, tags: ['groups'], summary, description, security, ...extra, responses: adminResponses(responses, { id: false }),
  });
  const badName = (what: string) => ({ '400': error(`${what}; \`errors\` names each field.`, 'invalid_request') });
  const notFound = (what: string) => ({ '404': error(what, 'not_found') });
  const tooLarge = { '413': error(`The body is larger than ${GROUP_BODY_MAX_BYTES} bytes.`, 'payload_too_large') };
  return {
    [p]: {
      get: op('listGroups', 'List the groups', `Every group with its endpoints, by name; at most ${GROUPS_MAX} (GROUPS_MAX).`, { '200': json('The groups.', ref('GroupList')) }),
    },
    [`${p}/{name}`]: {
      parameters: [param('name', 'GroupName', "The group's name.")],
      get: op('getGroup', 'Read a group', 'The group and its endpoints.', { '200': json('The group.', ref('GroupAnswer')), ...badName('The name is not a possible group name'), ...notFound('No group has this name.') }),
      put: op('putGroup', 'Create or replace a group', `Its endpoints become the body's, in order, at most ${GROUP_ENDPOINTS_MAX} (GROUP_ENDPOINTS_MAX). Each url is judged as Knocker-Host is (HOSTS_ONLY, the address policy).`, {
        '200': json('Stored; `replaced` when it existed.', ref('GroupAnswer')),
        ...badName('The name, the body or an endpoint is wrong (`endpoints[<i>].name`, `endpoints[<i>].url`)'),
        '409': error(`${GROUPS_MAX} groups exist already (GROUPS_MAX); replacing one never is refused.`, 'groups_full'),
        ...tooLarge,
      }, { requestBody: body('GroupDefinition', 'The endpoints of the group.') }),
      delete: op('deleteGroup', 'Delete a group', 'Requests already stored for it are not touched.', {
        '200': json('Deleted.', ref('GroupDeleted')), ...badName('The name is not a possible group name'), ...notFound('No group has this name.'),
      }),
    },
    [`${p}/{name}/endpoints/{endpoint}`]: {
      parameters: [param('name', 'GroupName', "The group's name."), param('endpoint', 'EndpointName', "The endpoint's name.")],
      put: op('setGroupEndpoint', 'Add or replace one endpoint', 'Adds the endpoint at the end, or replaces its url in place; creates the group when it is missing.', {
        '200': json('Stored; `replaced` when the endpoint existed.', ref('GroupAnswer')),
        ...badName('A name or the url is wrong'),
        '409': error(`The group holds ${GROUP_ENDPOINTS_MAX} endpoints (GROUP_ENDPOINTS_MAX), or a new group would pass GROUPS_MAX.`, 'groups_full'),
        ...tooLarge,
      }, { requestBody: body('EndpointDefinition', "The endpoint's url.") }),
      delete: op('removeGroupEndpoint', 'Remove one endpoint', 'The group stays, possibly empty: a request to an empty group is refused (409 `group_empty`).', {
        '200': json('Removed; the group as it is now.', ref('GroupAnswer')), ...badName('A name is wrong'), ...notFound('No such group, or no such endpoint in it (`name` or `endpoint`).'),
      }),
    },
  };
}
