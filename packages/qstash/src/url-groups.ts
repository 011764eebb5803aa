import { createHash } from 'node:crypto';
import {
  COPY_MARK, checkEndpointName, checkGroupName, endpointUrl, parseEndpointUrl, type Endpoint, type HostRules,
} from '@knocker/protocol';
import type { DeliveryJob, StoredGroup } from '@knocker/queue';
import { QstashRequestError } from './errors.js';

/** A URL group's endpoint as the SDK sends it: `name` is optional in QStash, required in Knocker's groups. */
interface GivenEndpoint {
  url?: unknown;
  name?: unknown;
}

// Bounded by the body read before it (GROUP_BODY_MAX_BYTES): never more entries than that holds.
const MAX_ENDPOINTS = 64;

/** The group name of a publish's destination that is no URL, or undefined when it is not one. */
export function topicOf(destination: string): string | undefined {
  return /^https?:/i.test(destination) || checkGroupName(destination) !== undefined ? undefined : destination;
}

/**
 * Reads `{"endpoints": [{url, name?}]}` for adding (`url` required) or removing (`url` or
 * `name`). An endpoint without a name is named after its URL, so the same URL finds it again.
 */
export function readEndpoints(body: Buffer, forAdding: boolean, rules: HostRules): Array<{ name?: string; url?: string }> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new QstashRequestError({ body: 'must be JSON: {"endpoints": [{"url": "…", "name": "…"}]}' });
  }
  const list = (parsed as { endpoints?: unknown } | null)?.endpoints;
  if (!Array.isArray(list) || list.length === 0 || list.length > MAX_ENDPOINTS) {
    throw new QstashRequestError({ endpoints: `must be a list of 1 to ${MAX_ENDPOINTS} endpoints` });
  }
  const errors: Record<string, string> = {};
  const out = list.map((raw: GivenEndpoint, i) => {
    const url = typeof raw?.url === 'string' ? raw.url : undefined;
    const name = typeof raw?.name === 'string' && raw.name !== '' ? raw.name : undefined;
    if (url === undefined && (forAdding || name === undefined)) errors[`endpoints[${i}].url`] = 'is required';
    let normalized = url;
    if (url !== undefined) {
      const target = parseEndpointUrl(url, rules);
      if (typeof target === 'string') errors[`endpoints[${i}].url`] = target;
      else normalized = endpointUrl(target);
    }
    const problem = name === undefined ? undefined : checkEndpointName(name);
    if (problem !== undefined) errors[`endpoints[${i}].name`] = problem;
    const named = name ?? (forAdding && normalized !== undefined ? nameOf(normalized) : undefined);
    return { ...(named === undefined ? {} : { name: named }), ...(normalized === undefined ? {} : { url: normalized }) };
  });
  if (Object.keys(errors).length > 0) throw new QstashRequestError(errors);
  return out;
}

/** The name of an endpoint added without one. */
export const nameOf = (url: string) => `u-${createHash('sha256').update(url).digest('hex').slice(0, 16)}`;

/**
 * One copy of the message per endpoint, as Knocker's groups store them (`<id>~~<endpoint>`),
 * each sent to its endpoint's URL itself, as QStash does.
 */
export function topicCopies(job: DeliveryJob, group: StoredGroup, rules: HostRules): DeliveryJob[] {
  if (group.endpoints.length === 0) throw new QstashRequestError({ destination: `URL group ${group.name} has no endpoints` });
  return group.endpoints.map((endpoint: Endpoint) => {
    const target = parseEndpointUrl(endpoint.url, rules);
    if (typeof target === 'string') throw new QstashRequestError({ destination: `endpoint ${endpoint.name} of ${group.name} ${target}` });
    const config = { ...job.config, id: `${job.config.id}${COPY_MARK}${endpoint.name}`, host: target.host, scheme: target.scheme };
    return { ...job, config, url: endpoint.url, group: group.name };
  });
}

/** A URL group in QStash's shape; an endpoint named after its URL shows no name. */
export function urlGroupOf(g: StoredGroup): Record<string, unknown> {
  return {
    name: g.name, createdAt: g.createdAt, updatedAt: g.updatedAt,
    endpoints: g.endpoints.map((e) => (e.name === nameOf(e.url) ? { url: e.url } : { name: e.name, url: e.url })),
  };
}
