import { InvalidRequestError } from './errors.js';
import { COPY_MARK, joinTarget, parseEndpointUrl, type Endpoint } from './group.js';
import type { HostRules } from './host.js';
import type { KnockRequest } from './request.js';

/**
 * The copies of a group request, one per endpoint, in the group's order: each is the request
 * sent to that endpoint (its own id, target and so its own flow key unless Knocker-Flow-Key
 * named one). Endpoints were judged when stored; they are judged again, since HOSTS_ONLY or
 * the address policy may have changed since.
 */
export function groupCopies(knock: KnockRequest & { group: string }, endpoints: readonly Endpoint[], rules: HostRules): KnockRequest[] {
  const errors: Record<string, string> = {};
  const copies = endpoints.map((endpoint): KnockRequest => {
    const target = parseEndpointUrl(endpoint.url, rules);
    if (typeof target === 'string') {
      errors['knocker-group'] ??= `endpoint ${JSON.stringify(endpoint.name)} of group ${JSON.stringify(knock.group)} ${target}`;
      return knock;
    }
    const config = { ...knock.config, id: `${knock.config.id}${COPY_MARK}${endpoint.name}`, host: target.host, scheme: target.scheme };
    return { ...knock, config, url: joinTarget(target, knock.url) };
  });
  if (Object.keys(errors).length > 0) throw new InvalidRequestError(errors);
  return copies;
}
