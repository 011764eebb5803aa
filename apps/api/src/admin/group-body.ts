import { ApiError, GROUP_BODY_MAX_BYTES, GROUP_ENDPOINTS_MAX } from '@knocker/contract';
import { checkEndpointName, endpointUrl, InvalidRequestError, parseEndpointUrl, type Endpoint, type HostRules } from '@knocker/protocol';

/** Over GROUP_BODY_MAX_BYTES: a group's definition, not the relay's MAX_BODY_SIZE. */
export const groupBodyTooLarge = (): ApiError => new ApiError('payload_too_large', { body: `must be at most ${GROUP_BODY_MAX_BYTES} bytes` });

function jsonObject(body: Buffer, shape: string): Record<string, unknown> {
  let raw: unknown = null;
  try {
    raw = JSON.parse(body.toString('utf8'));
  } catch {
    // Answered below, as any other wrong shape.
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new InvalidRequestError({ body: `must be a JSON object: ${shape}` });
  return raw as Record<string, unknown>;
}

function unknownFields(o: Record<string, unknown>, known: readonly string[], at: string, errors: Record<string, string>): void {
  for (const name of Object.keys(o)) if (!known.includes(name)) errors[`${at}${name}`] ??= `is not a field; use ${known.join(', ')}`;
}

/** An endpoint's url as stored, or what is wrong with it under `field`. */
function endpointOf(url: unknown, rules: HostRules, field: string, errors: Record<string, string>): string | undefined {
  if (typeof url !== 'string') {
    errors[field] ??= 'is required: a string, the endpoint\'s origin with an optional path prefix';
    return undefined;
  }
  const target = parseEndpointUrl(url.trim(), rules);
  if (typeof target === 'string') {
    errors[field] ??= target;
    return undefined;
  }
  return endpointUrl(target);
}

/** `{"endpoints": [{"name": "…", "url": "…"}]}`: every problem named by its place, nothing stored when there is one. */
export function parseGroupBody(body: Buffer, rules: HostRules): Endpoint[] {
  const o = jsonObject(body, '{"endpoints": [{"name": "…", "url": "…"}]}');
  const errors: Record<string, string> = {};
  unknownFields(o, ['endpoints'], '', errors);
  const list = o['endpoints'];
  if (!Array.isArray(list)) throw new InvalidRequestError({ ...errors, endpoints: 'is required: a list of {"name", "url"}' });
  if (list.length > GROUP_ENDPOINTS_MAX) throw new InvalidRequestError({ endpoints: `must hold at most ${GROUP_ENDPOINTS_MAX} endpoints (GROUP_ENDPOINTS_MAX), got ${list.length}` });
  const seen = new Set<string>();
  const endpoints = list.map((item: unknown, i): Endpoint => {
    const at = `endpoints[${i}]`;
    if (item === null || typeof item !== 'object' || Array.isArray(item)) {
      errors[at] ??= 'must be an object {"name", "url"}';
      return { name: '', url: '' };
    }
    const e = item as Record<string, unknown>;
    unknownFields(e, ['name', 'url'], `${at}.`, errors);
    const name = typeof e['name'] === 'string' ? e['name'] : '';
    const problem = typeof e['name'] === 'string' ? checkEndpointName(name) : 'is required: a string';
    if (problem !== undefined) errors[`${at}.name`] ??= problem;
    else if (seen.has(name)) errors[`${at}.name`] ??= `is given twice: ${JSON.stringify(name)}`;
    seen.add(name);
    return { name, url: endpointOf(e['url'], rules, `${at}.url`, errors) ?? '' };
  });
  if (Object.keys(errors).length > 0) throw new InvalidRequestError(errors);
  return endpoints;
}

/** `{"url": "…"}` for one endpoint, its name in the path. */
export function parseEndpointBody(body: Buffer, name: string, rules: HostRules): Endpoint {
  const o = jsonObject(body, '{"url": "…"}');
  const errors: Record<string, string> = {};
  unknownFields(o, ['url'], '', errors);
  const url = endpointOf(o['url'], rules, 'url', errors);
  if (url === undefined || Object.keys(errors).length > 0) throw new InvalidRequestError(errors);
  return { name, url };
}
