import express, { type Request, type Response, type Router } from 'express';
import { ApiError } from '@knocker/contract';
import { secretsEqual } from '@knocker/protocol';
import { runCheck, type CheckResult, type HealthCheck } from './checks.js';

export type CacheMode = 'header' | 'memory' | 'header+memory';

export interface HealthOptions {
  checks: readonly HealthCheck[];
  /** BeatPulse's JSON instead of the bare `OK` / `ServiceUnavailable`. */
  detailed: boolean;
  timeoutMs: number;
  cache: { seconds: number; mode: CacheMode };
  /** When set, results only for `?api-key=<key>`. */
  apiKey: string;
  /** When set, CORS headers for this origin on the health routes. */
  corsOrigin: string;
  /** True once the process is stopping: `_self` then fails so load balancers drain it. */
  shuttingDown: () => boolean;
}

interface Answer {
  status: number;
  body: string;
  type: string;
  expires: number;
}

/**
 * BeatPulse's health endpoint: the root runs every check (with `_self` first), `/<path>` one
 * check. Mount it at the health path (`app.use('/hc', createHealthRouter(...))`).
 */
export function createHealthRouter(opts: HealthOptions): Router {
  const self: HealthCheck = {
    name: 'self',
    path: '_self',
    run: async () => {
      if (opts.shuttingDown()) throw new Error('shutting down');
    },
  };
  const checks = [self, ...opts.checks];
  const memory = new Map<string, Answer>();
  const useMemory = opts.cache.seconds > 0 && opts.cache.mode !== 'header';
  const useHeader = opts.cache.seconds > 0 && opts.cache.mode !== 'memory';

  const answer = async (key: string, selected: readonly HealthCheck[]): Promise<Answer> => {
    const cached = memory.get(key);
    if (useMemory && cached && cached.expires > Date.now()) return cached;
    const startedAtUtc = new Date().toISOString();
    const results = await Promise.all(selected.map((c) => runCheck(c, opts.timeoutMs)));
    const fresh = render(results, startedAtUtc, opts.detailed, Date.now() + opts.cache.seconds * 1000);
    if (useMemory) memory.set(key, fresh);
    return fresh;
  };

  const router = express.Router();
  router.use((req, res, next) => {
    // Only reads are health requests; on the api, anything else under the path is relayed.
    if (req.method !== 'GET' && req.method !== 'OPTIONS') return next('router');
    if (opts.corsOrigin !== '') {
      res.set({ 'access-control-allow-origin': opts.corsOrigin, 'access-control-allow-methods': 'GET, OPTIONS', vary: 'Origin' });
      if (req.method === 'OPTIONS') return void res.status(204).end();
    }
    // Read from the URL itself: the host app may have turned express's query parser off.
    const key = new URLSearchParams(req.originalUrl.split('?')[1] ?? '').get('api-key') ?? '';
    if (opts.apiKey !== '' && !secretsEqual(key, opts.apiKey)) {
      return refuse(res, new ApiError('unauthorized', { 'api-key': 'missing or wrong: pass ?api-key=<HEALTH_API_KEY>' }));
    }
    next();
  });
  const send = (res: Response, a: Answer) => {
    if (useHeader) res.set('cache-control', `public, max-age=${opts.cache.seconds}`);
    res.status(a.status).type(a.type).send(a.body);
  };
  router.get('/', async (_req: Request, res: Response) => send(res, await answer('', checks)));
  router.get('/:path', async (req: Request, res: Response) => {
    const check = checks.find((c) => c.path === req.params['path']);
    if (!check) {
      return refuse(res, new ApiError('unknown_check', { path: `no check at this path; known: ${checks.map((c) => c.path).join(', ')}` }));
    }
    send(res, await answer(check.path, [check]));
  });
  return router;
}

const refuse = (res: Response, err: ApiError): void => void res.status(err.status).json(err.body());

function render(results: CheckResult[], startedAtUtc: string, detailed: boolean, expires: number): Answer {
  const healthy = results.every((r) => r.isHealthy);
  const status = healthy ? 200 : 503;
  if (!detailed) return { status, body: healthy ? 'OK' : 'ServiceUnavailable', type: 'text/plain', expires };
  const reason = results.filter((r) => !r.isHealthy).map((r) => `${r.path}: ${r.message}`).join('; ');
  const body = JSON.stringify({ checks: results, startedAtUtc, endAtUtc: new Date().toISOString(), code: String(status), reason });
  return { status, body, type: 'application/json', expires };
}
