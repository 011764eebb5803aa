import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { ApiError } from '@knocker/contract';
import type { ProtocolLimits } from '@knocker/protocol';
import { readDestination, readEnqueuePath, readPublish, type Publish, type PublishInput } from '@knocker/qstash';
import { sendJson } from '../answer.js';
import { createFastPath, type FastPathDeps } from '../ingress/fast-path.js';
import { readBody } from '../ingress/body.js';
import { createBearerCheck } from './auth.js';
import { storePublish } from './publish.js';
import type { DoorDeps } from './door.js';

/**
 * A door route that stores a message: what follows its path is taken raw (the SDK pastes the
 * destination unencoded, `//` and query included) and read with the headers and body.
 */
export interface PublishRoute {
  path: string;
  read(rest: string, input: Omit<PublishInput, 'destination'>, limits: ProtocolLimits): Publish;
  /** Whether the rest of the path has the route's shape; otherwise the URL is no route of this list. */
  takes?(rest: string): boolean;
}

/** The routes a QStash client calls once per message: served on the fast path and by the door's router alike. */
export const PUBLISH_ROUTES: readonly PublishRoute[] = [
  { path: '/v2/publish/', read: (rest, input, limits) => readPublish({ ...input, destination: readDestination(rest, '') ?? rest }, limits) },
  // An enqueue is a publish that names its queue first: `<queue>/<destination>`.
  { path: '/v2/enqueue/', read: (rest, input, limits) => readPublish({ ...input, ...readEnqueuePath(rest, '')! }, limits), takes: (rest) => rest.includes('/') },
];

export interface PublishMatch {
  route: PublishRoute;
  rest: string;
}

/** The publish route a POST's URL (relative to the door) names, if any. */
export function matchPublish(url: string): PublishMatch | undefined {
  for (const route of PUBLISH_ROUTES) {
    if (!url.startsWith(route.path)) continue;
    const rest = url.slice(route.path.length);
    return route.takes === undefined || route.takes(rest) ? { route, rest } : undefined;
  }
  return undefined;
}

/** Reads, stores and answers one publish; a refusal is thrown. */
export function createPublishServer(deps: DoorDeps) {
  const limits = { ...deps.config.protocol, refuseAddress: deps.refuseAddress };
  const { maxBodySize } = deps.config.api;
  return async (req: IncomingMessage, res: ServerResponse, { route, rest }: PublishMatch): Promise<void> => {
    const body = await readBody(req, maxBodySize);
    const published = await storePublish(deps, route.read(rest, { rawHeaders: req.rawHeaders, body }, limits));
    sendJson(res, published.status, published.body);
  };
}

/** QStash's error answer, `{"error": "<field>: <problem>"}` with the refusal's status; false for what is not a refusal. */
export function answerDoorError(err: unknown, res: ServerResponse): boolean {
  if (!(err instanceof ApiError) || res.headersSent) return false;
  if (err.retryAfter !== undefined) res.setHeader('retry-after', String(err.retryAfter));
  sendJson(res, err.status, { error: err.message });
  return true;
}

/**
 * The publish routes without express, as native requests are served: the same metrics, write
 * timeout and in-flight gate, then the door's token, translation and answers. `base` is where
 * the door is mounted (`<RESERVED_PREFIX>/qstash`); any other door URL stays express's.
 */
export function createDoorFastPath(deps: DoorDeps & Omit<FastPathDeps, 'checkKey' | 'relay'>, base: string) {
  const checkBearer = createBearerCheck(deps.config.qstash.tokens);
  const publish = createPublishServer(deps);
  const matchOf = (req: IncomingMessage) => (req.method === 'POST' && req.url?.startsWith(base) ? matchPublish(req.url.slice(base.length)) : undefined);
  const listener: RequestListener = createFastPath({
    ...deps,
    // The door's credential is its bearer token, checked inside the gate as express checks it.
    checkKey: () => undefined,
    relay: async (req, res) => {
      try {
        const refused = checkBearer(req);
        if (refused) throw refused;
        await publish(req, res, matchOf(req)!);
      } catch (err) {
        if (!answerDoorError(err, res)) throw err;
      }
    },
  });
  return { takes: (req: IncomingMessage) => matchOf(req) !== undefined, listener };
}
