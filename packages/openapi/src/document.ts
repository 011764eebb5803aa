import type { JsonObject, OpenApiOptions } from './options.js';
import { relayPath } from './relay.js';
import { sharedResponses } from './responses.js';
import { groupPaths, groupSchemas } from './groups.js';
import { hostPaths, hostSchemas } from './hosts.js';
import { orderKeyPaths, orderKeySchemas } from './order-keys.js';
import { replayPath, replaySchemas } from './replay.js';
import { listPaths, listSchemas } from './lists.js';
import { qstashDocument } from './qstash.js';
import { operationPaths, reservedPaths } from './routes.js';
import { schedulePaths, scheduleSchemas } from './schedules.js';
import { schemas } from './schemas.js';
import { webhooks } from './webhooks.js';

/** The OpenAPI 3.1 document of a Knocker api configured as `o`. */
export function buildOpenApi(o: OpenApiOptions): JsonObject {
  const door = qstashDocument(o);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Knocker',
      version: o.version,
      description: 'A durable HTTP relay. Send a request with Knocker-* headers to any path; it is stored in Redis before the answer, and workers deliver it with retries and backoff, calling Knocker-Callback when every attempt failed.',
    },
    servers: [{ url: '/', description: 'The api serving this document' }],
    tags: [
      { name: 'relay', description: 'Requests stored for delivery, one at a time or in a batch.' },
      { name: 'requests', description: `Listing, inspection, replay (one or many), cancel, removal (one or many) and log lines of stored requests, under RESERVED_PREFIX (${o.reservedPrefix}).` },
      { name: 'schedules', description: 'Schedules stored by a request with Knocker-Cron: list, inspect, delete, pause, resume.' },
      { name: 'groups', description: 'Fan-out groups: named lists of endpoints a request with Knocker-Group is sent to, one copy each.' },
      { name: 'hosts', description: 'Flow keys (host:port or Knocker-Flow-Key): their limits, breaker and pause.' },
      { name: 'order-keys', description: 'Lines of Knocker-Order-Key: their head and how many wait.' },
      { name: 'operations', description: 'Status, health, metrics and this document.' },
      ...(o.qstash ? [{ name: 'qstash', description: `QStash's HTTP API v2 as the @upstash/qstash SDK calls it, under ${o.reservedPrefix}/qstash (the SDK's baseUrl); on only with QSTASH_TOKENS. Answers and errors are QStash's: docs/qstash.md.` }] : []),
    ],
    paths: { ...reservedPaths(o), ...listPaths(o), ...replayPath(o), ...schedulePaths(o), ...groupPaths(o), ...hostPaths(o), ...orderKeyPaths(o), ...operationPaths(o), ...door.paths, '/{path}': relayPath(o) },
    webhooks: webhooks(o.version),
    components: {
      schemas: { ...schemas(), ...replaySchemas(), ...listSchemas(), ...scheduleSchemas(), ...groupSchemas(), ...hostSchemas(), ...orderKeySchemas(), ...door.schemas },
      responses: { ...sharedResponses(), ...door.responses },
      securitySchemes: {
        ApiKey: { type: 'apiKey', in: 'header', name: 'Knocker-Api-Key', description: 'One of KNOCKER_API_KEYS; needed to relay when that is set. Never stored, forwarded or echoed.' },
        AdminKey: { type: 'apiKey', in: 'header', name: 'Knocker-Admin-Key', description: 'ADMIN_API_KEY; needed by the request, schedule, group, host and order-key routes (and by the log route with REQUEST_LOG_REQUIRES_ADMIN_KEY).' },
        HealthApiKey: { type: 'apiKey', in: 'query', name: 'api-key', description: 'HEALTH_API_KEY, when set.' },
        ...door.securitySchemes,
      },
    },
  };
}
