import type { ServerResponse } from 'node:http';
import { groupCopies, type HostRules, type KnockRequest } from '@knocker/protocol';
import type { HttpMetrics } from '@knocker/metrics';
import { QueueUnavailableError, type DeliveryJob, type RequestStore } from '@knocker/queue';
import type { Logger } from '@knocker/telemetry';
import { sendJson } from '../answer.js';
import { GroupEmptyError, GroupNotFoundError } from '../errors.js';

export interface GroupRelayDeps {
  rules: HostRules;
  store: Pick<RequestStore, 'addCopies' | 'stateOf' | 'groups'>;
  logger: Logger;
  metrics: Pick<HttpMetrics, 'accepted'>;
}

/**
 * Stores a request with Knocker-Group as one copy per endpoint of the group, all in one step,
 * and answers with each copy's id and target. A copy is a request like any other from then on:
 * its own attempts, callbacks, flow key and inspection. A Knocker-Id the caller chose is
 * checked for the whole group: when any copy is stored already, the answer says which, and
 * how far each got, and nothing more is stored.
 */
export function createGroupAcceptor(deps: GroupRelayDeps) {
  return async function acceptGroup(knock: KnockRequest & { group: string }, body: Buffer, checkDuplicate: boolean, res: ServerResponse): Promise<void> {
    const { group: name, config } = knock;
    const group = await deps.store.groups.get(name);
    if (group === undefined) throw new GroupNotFoundError('knocker-group', `group ${JSON.stringify(name)}`);
    if (group.endpoints.length === 0) throw new GroupEmptyError(name);
    const copies = groupCopies(knock, group.endpoints, deps.rules);
    const acceptedAt = Date.now();
    const encoded = body.toString('base64');
    const jobs = copies.map((c): DeliveryJob => {
      const { group: _omitted, ...rest } = c;
      return { ...rest, body: encoded, acceptedAt, group: name };
    });
    const added = await deps.store.addCopies(config.id, jobs, { checkDuplicate });
    if (added.duplicate) {
      const states = await Promise.all(added.stored.map((id) => deps.store.stateOf(id)));
      if (states.includes(undefined)) throw new QueueUnavailableError(`a copy of request #${config.id} was removed (RETAIN_*) while it was being read`);
      deps.logger.debug(`Group request #${config.id} sent again: answered with the state of its ${added.stored.length} copies`);
      // Ids and states only: the targets are the first caller's business, as for a single request.
      const requests = added.stored.map((id, i) => ({ id, state: states[i] }));
      sendJson(res, 200, { status: true, duplicate: true, id: config.id, group: name, requests });
      return;
    }
    deps.metrics.accepted.inc(copies.length);
    deps.logger.debug(`Group request #${config.id} accepted for ${copies.length} endpoints of ${name}: "${knock.method} ${knock.url}"`);
    const { host: _host, scheme: _scheme, ...shared } = config;
    sendJson(res, 200, {
      status: true, id: config.id, group: name, requests: copies.map((c) => ({ id: c.config.id, url: c.url })),
      config: shared, method: knock.method, headers: knock.headers, 'body-length': body.length,
      ...(knock.notBefore === undefined ? {} : { not_before: new Date(knock.notBefore).toISOString() }),
    });
  };
}
