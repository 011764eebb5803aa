import type { JsonObject, OpenApiOptions } from './options.js';
import { managePaths } from './qstash-manage.js';
import { messagePaths } from './qstash-messages.js';
import { publishPaths } from './qstash-publish.js';
import { qstashBase, qstashResponses } from './qstash-shared.js';
import { qstashSchemas } from './qstash-schemas.js';

/** The QStash door's routes under `<RESERVED_PREFIX>/qstash`, in the document only when the door is on (QSTASH_TOKENS). */
function qstashPaths(o: OpenApiOptions): Record<string, JsonObject> {
  if (!o.qstash) return {};
  const base = qstashBase(o);
  const all = { ...publishPaths(o), ...messagePaths(), ...managePaths(o) };
  return Object.fromEntries(Object.entries(all).map(([path, item]) => [`${base}${path}`, item]));
}

/**
 * The door's part of the document: its paths, and the schemas they use, its answers and its
 * credential; nothing when the door is off.
 */
export function qstashDocument(o: OpenApiOptions): Record<'paths' | 'schemas' | 'responses' | 'securitySchemes', Record<string, JsonObject>> {
  const paths = qstashPaths(o);
  if (Object.keys(paths).length === 0) return { paths, schemas: {}, responses: {}, securitySchemes: {} };
  return {
    paths,
    schemas: qstashSchemas(),
    responses: qstashResponses(),
    securitySchemes: { QstashToken: { type: 'http', scheme: 'bearer', description: 'One of QSTASH_TOKENS, as the SDK sends it.' } },
  };
}
