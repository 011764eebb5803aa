import express, { type NextFunction, type Request, type Response } from 'express';
import { GROUP_BODY_MAX_BYTES, GROUP_ENDPOINTS_MAX, GROUPS_MAX } from '@knocker/contract';
import { checkGroupName } from '@knocker/protocol';
import { QstashRequestError, readEndpoints, urlGroupOf } from '@knocker/qstash';
import { sendJson } from '../answer.js';
import { readBody } from '../ingress/body.js';
import { DoorError, type DoorDeps } from './door.js';

type Work = (req: Request, res: Response) => Promise<void>;
const BOUNDS = { groups: GROUPS_MAX, endpoints: GROUP_ENDPOINTS_MAX };

/**
 * QStash's URL groups (`/v2/topics`) on Knocker's fan-out groups: the same groups the admin
 * routes show. Removing a group's last endpoint deletes it, as in QStash.
 */
export function createUrlGroups(deps: DoorDeps): express.Router {
  const { groups } = deps.store;
  const rules = { hostsOnly: deps.config.protocol.hostsOnly, refuseAddress: deps.refuseAddress };
  const handle = (work: Work) => (req: Request, res: Response, next: NextFunction) => void work(req, res).catch(next);
  const nameOf = (req: Request) => {
    const name = String(req.params['name']);
    const problem = checkGroupName(name);
    if (problem !== undefined) throw new QstashRequestError({ name: problem });
    return name;
  };
  const body = (req: Request) => readBody(req, GROUP_BODY_MAX_BYTES, () => new QstashRequestError({ body: `must be at most ${GROUP_BODY_MAX_BYTES} bytes` }));
  const router = express.Router();

  router.get('/', handle(async (_req, res) => sendJson(res, 200, (await groups.list()).map(urlGroupOf))));
  router.get('/:name', handle(async (req, res) => {
    const group = await groups.get(nameOf(req));
    if (!group) throw new DoorError(404, `URL group ${String(req.params['name'])} not found`);
    sendJson(res, 200, urlGroupOf(group));
  }));
  router.delete('/:name', handle(async (req, res) => {
    const name = nameOf(req);
    if (!(await groups.remove(name))) throw new DoorError(404, `URL group ${name} not found`);
    sendJson(res, 200, {});
  }));
  router.post('/:name/endpoints', handle(async (req, res) => {
    const name = nameOf(req);
    for (const endpoint of readEndpoints(await body(req), true, rules)) {
      const outcome = await groups.setEndpoint(name, { name: endpoint.name ?? '', url: endpoint.url ?? '' }, BOUNDS);
      if (outcome === 'groups-full' || outcome === 'endpoints-full') {
        throw new DoorError(400, outcome === 'groups-full' ? `${GROUPS_MAX} URL groups exist already` : `URL group ${name} has ${GROUP_ENDPOINTS_MAX} endpoints already`);
      }
    }
    sendJson(res, 200, {});
  }));
  router.delete('/:name/endpoints', handle(async (req, res) => {
    const name = nameOf(req);
    const given = readEndpoints(await body(req), false, rules);
    const group = await groups.get(name);
    if (!group) throw new DoorError(404, `URL group ${name} not found`);
    const gone = new Set(group.endpoints.filter((e) => given.some((g) => g.name === e.name || g.url === e.url)).map((e) => e.name));
    for (const endpoint of gone) await groups.removeEndpoint(name, endpoint);
    if (gone.size === group.endpoints.length) await groups.remove(name);
    sendJson(res, 200, {});
  }));
  return router;
}
