import express, { type NextFunction, type Request, type Response } from 'express';
import { GROUP_BODY_MAX_BYTES, GROUP_ENDPOINTS_MAX, GROUPS_MAX } from '@knocker/contract';
import { checkEndpointName, checkGroupName, InvalidRequestError, type HostRules } from '@knocker/protocol';
import type { RequestStore, StoredGroup } from '@knocker/queue';
import { GroupNotFoundError, GroupsFullError } from '../errors.js';
import { readBody } from '../ingress/body.js';
import { groupBodyTooLarge, parseEndpointBody, parseGroupBody } from './group-body.js';
import { notAllowed } from './reserved.js';

export interface GroupsDeps {
  store: Pick<RequestStore, 'groups'>;
  /** HOSTS_ONLY and the address policy: an endpoint passes them as Knocker-Host does. */
  rules: HostRules;
}

type Work = (req: Request, res: Response) => Promise<void>;
const BOUNDS = { groups: GROUPS_MAX, endpoints: GROUP_ENDPOINTS_MAX };
const TOO_MANY_GROUPS = `${GROUPS_MAX} groups exist already (GROUPS_MAX); delete one first`;
const TOO_MANY_ENDPOINTS = `the group holds ${GROUP_ENDPOINTS_MAX} endpoints already (GROUP_ENDPOINTS_MAX)`;

const iso = (ms: number) => new Date(ms).toISOString();
const shown = (g: StoredGroup) => ({ name: g.name, endpoints: g.endpoints, created_at: iso(g.createdAt), updated_at: iso(g.updatedAt) });

function param(req: Request, name: 'name' | 'endpoint', check: (v: string) => string | undefined): string {
  const value = String(req.params[name] ?? '');
  const problem = check(value);
  if (problem !== undefined) throw new InvalidRequestError({ [name]: problem });
  return value;
}

/**
 * The fan-out groups Knocker-Group names, behind the admin key: list, read, replace, delete,
 * and set or remove one endpoint. Endpoints are judged (HOSTS_ONLY, the address policy) here,
 * when stored, so a bad one is refused now rather than at every request.
 */
export function createGroupsRouter(deps: GroupsDeps): express.Router {
  const router = express.Router();
  const { groups } = deps.store;
  const handle = (work: Work) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      await work(req, res);
    } catch (err) {
      next(err);
    }
  };
  const groupName = (req: Request) => param(req, 'name', checkGroupName);
  const body = (req: Request) => readBody(req, GROUP_BODY_MAX_BYTES, groupBodyTooLarge);
  const found = async (name: string) => {
    const group = await groups.get(name);
    if (group === undefined) throw new GroupNotFoundError('name', `group ${JSON.stringify(name)}`);
    return group;
  };

  router.get('/', handle(async (_req, res) => {
    res.json({ status: true, groups: (await groups.list()).map(shown) });
  }));
  router.all('/', notAllowed(['GET']));
  router.get('/:name', handle(async (req, res) => {
    res.json({ status: true, group: shown(await found(groupName(req))) });
  }));
  router.put('/:name', handle(async (req, res) => {
    const name = groupName(req);
    const endpoints = parseGroupBody(await body(req), deps.rules);
    const outcome = await groups.save(name, endpoints, BOUNDS);
    if (outcome === 'full') throw new GroupsFullError('name', TOO_MANY_GROUPS);
    res.json({ status: true, group: shown(await found(name)), ...(outcome === 'replaced' && { replaced: true }) });
  }));
  router.delete('/:name', handle(async (req, res) => {
    const name = groupName(req);
    if (!(await groups.remove(name))) throw new GroupNotFoundError('name', `group ${JSON.stringify(name)}`);
    res.json({ status: true, name, state: 'deleted' });
  }));
  router.all('/:name', notAllowed(['GET', 'PUT', 'DELETE']));

  router.put('/:name/endpoints/:endpoint', handle(async (req, res) => {
    const name = groupName(req);
    const endpoint = parseEndpointBody(await body(req), param(req, 'endpoint', checkEndpointName), deps.rules);
    const outcome = await groups.setEndpoint(name, endpoint, BOUNDS);
    if (outcome === 'groups-full') throw new GroupsFullError('name', TOO_MANY_GROUPS);
    if (outcome === 'endpoints-full') throw new GroupsFullError('endpoint', TOO_MANY_ENDPOINTS);
    res.json({ status: true, group: shown(await found(name)), ...(outcome === 'replaced' && { replaced: true }) });
  }));
  router.delete('/:name/endpoints/:endpoint', handle(async (req, res) => {
    const name = groupName(req);
    const endpoint = param(req, 'endpoint', checkEndpointName);
    const outcome = await groups.removeEndpoint(name, endpoint);
    if (outcome === 'no-group') throw new GroupNotFoundError('name', `group ${JSON.stringify(name)}`);
    if (outcome === 'no-endpoint') throw new GroupNotFoundError('endpoint', `endpoint ${JSON.stringify(endpoint)} in group ${JSON.stringify(name)}`);
    res.json({ status: true, group: shown(await found(name)) });
  }));
  router.all('/:name/endpoints/:endpoint', notAllowed(['PUT', 'DELETE']));
  return router;
}
