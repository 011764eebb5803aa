import { QstashRequestError } from './errors.js';
import type { PublishInput } from './publish.js';

/** Items of one `POST /v2/batch`: each is one publish, and a batch is answered in one go. */
export const BATCH_MAX_ITEMS = 100;
const HEADERS_MAX = 64;

/**
 * Reads `[{destination, headers, body?, queue?}]` into publishes, their headers flattened as
 * Node's rawHeaders are (the SDK lower-cases the names). A malformed item refuses the batch,
 * named by its index: nothing is stored.
 */
export function readBatch(raw: Buffer): PublishInput[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new QstashRequestError({ body: 'must be a JSON array of {destination, headers, body}' });
  }
  if (!Array.isArray(parsed) || parsed.length === 0 || parsed.length > BATCH_MAX_ITEMS) {
    throw new QstashRequestError({ body: `must be a JSON array of 1 to ${BATCH_MAX_ITEMS} messages` });
  }
  const errors: Record<string, string> = {};
  const items = parsed.map((item: unknown, i): PublishInput => {
    const { destination, headers = {}, body = '', queue } = (item ?? {}) as Record<string, unknown>;
    if (typeof destination !== 'string' || destination === '') errors[`[${i}].destination`] = 'is required: a URL or a URL group';
    if (queue !== undefined && typeof queue !== 'string') errors[`[${i}].queue`] = 'must be a queue\'s name';
    if (typeof body !== 'string') errors[`[${i}].body`] = 'must be a string';
    const pairs = headers !== null && typeof headers === 'object' && !Array.isArray(headers) ? Object.entries(headers) : undefined;
    if (pairs === undefined || pairs.length > HEADERS_MAX || pairs.some(([, v]) => typeof v !== 'string')) {
      errors[`[${i}].headers`] = `must be an object of at most ${HEADERS_MAX} string values`;
    }
    const rawHeaders = (pairs ?? []).flatMap(([k, v]) => [k, String(v)]);
    return { destination: String(destination), rawHeaders, body: Buffer.from(String(body)), ...(typeof queue === 'string' ? { queue } : {}) };
  });
  if (Object.keys(errors).length > 0) throw new QstashRequestError(errors);
  return items;
}
