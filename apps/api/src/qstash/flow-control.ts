import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiError } from '@knocker/contract';
import { createWaker, limitsFor, LIMITED_KEYS_MAX, type LimitsChange } from '@knocker/flow';
import { checkFlowKey } from '@knocker/protocol';
import { flowControlInfo, QstashRequestError, readPin, readUnpin } from '@knocker/qstash';
import { withinDeadline, type DeliveryJob } from '@knocker/queue';
import { sendJson } from '../answer.js';
import type { DoorDeps } from './door.js';

type FlowDeps = Pick<DoorDeps, 'config' | 'store' | 'flow'>;

const full = (field: string) => new ApiError('invalid_state', {
  [field]: `${LIMITED_KEYS_MAX} flow-control keys hold limits already; a key's limits lapse an hour after its last use`,
});

/** The query as names to a value, or to every value of a name given more than once. */
function queryOf(req: Request): Record<string, string | string[]> {
  const at = req.url.indexOf('?');
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(at === -1 ? '' : req.url.slice(at + 1))) {
    const seen = out[name];
    out[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return out;
}

/** Applies a change to a key's own limits and wakes what a raised limit lets go. */
function limitsChanger(deps: FlowDeps) {
  const wake = createWaker(() => deps.store.deliveryQueues());
  return async (key: string, change: LimitsChange, field: string) => {
    const woken = await withinDeadline(deps.flow.setLimits(key, change, limitsFor(deps.config.flow, key)), deps.config.redis.timeoutMs);
    if (woken === 'full') throw full(field);
    await wake(woken);
  };
}

/**
 * A publish's `Upstash-Flow-Control-Value` becomes its key's limits (but for the parts
 * pinned), before the message is stored: the last message published sets them, as QStash
 * does. A message without one costs nothing here.
 */
export async function applyFlowValue(deps: FlowDeps, job: DeliveryJob): Promise<void> {
  const value = job.qstash?.flow;
  const key = job.config.flow_key;
  if (key === undefined || value === undefined || (!value.parallelism && !value.rate)) return;
  const periodMs = (value.period ?? 1) * 1000;
  await limitsChanger(deps)(key, { kind: 'incoming', parallelism: value.parallelism ?? 0, rate: value.rate ?? 0, periodMs }, 'upstash-flow-control-key');
}

/** QStash's flow-control routes, mounted at `/v2`: a key's limits, counts, pause and pins. */
export function createFlowControl(deps: FlowDeps): express.Router {
  const router = express.Router();
  const bounded = <T>(work: Promise<T>) => withinDeadline(work, deps.config.redis.timeoutMs);
  const change = limitsChanger(deps);
  const wake = createWaker(() => deps.store.deliveryQueues());
  const keyOf = (req: Request) => {
    const key = String(req.params['key'] ?? '');
    const problem = checkFlowKey(key);
    if (problem !== undefined) throw new QstashRequestError({ flowControlKey: problem });
    return key;
  };
  // Only a key in use may be paused or changed (but for a pin, bounded by LIMITED_KEYS_MAX):
  // a caller naming new keys for ever grows nothing.
  const known = async (req: Request) => {
    const key = keyOf(req);
    const facts = await bounded(deps.flow.detail(key));
    if (!facts) throw new ApiError('not_found', { flowControlKey: `${key} not found: no message used it within the last hour` });
    return { key, facts };
  };
  const route = (work: (req: Request, res: Response) => Promise<void>) => (req: Request, res: Response, next: NextFunction) => {
    work(req, res).catch(next);
  };
  const done = (res: Response) => sendJson(res, 200, {});

  router.get('/globalParallelism', route(async (_req, res) => {
    // No global limit: Knocker's is WORKER_CONCURRENCY per worker process; the count is what is in flight.
    const counts = await bounded(deps.store.counts());
    sendJson(res, 200, { parallelismMax: 0, parallelismCount: counts.requests['active'] ?? 0 });
  }));
  router.get('/flowControl/:key', route(async (req, res) => {
    const { key, facts } = await known(req);
    sendJson(res, 200, flowControlInfo(key, facts, limitsFor(deps.config.flow, key)));
  }));
  const pause = (paused: boolean) => route(async (req, res) => {
    const { key } = await known(req);
    await wake(await bounded(deps.flow.setPaused(key, paused)));
    done(res);
  });
  router.post('/flowControl/:key/pause', pause(true));
  router.post('/flowControl/:key/resume', pause(false));
  router.post('/flowControl/:key/pin', route(async (req, res) => {
    const pin = readPin(queryOf(req));
    const key = keyOf(req);
    await change(key, { kind: 'pin', parallelism: pin.parallelism, rate: pin.rate, periodMs: (pin.period ?? 1) * 1000 }, 'flowControlKey');
    done(res);
  }));
  router.post('/flowControl/:key/unpin', route(async (req, res) => {
    const unpin = readUnpin(queryOf(req));
    await change((await known(req)).key, { kind: 'unpin', ...unpin }, 'flowControlKey');
    done(res);
  }));
  router.post('/flowControl/:key/resetRate', route(async (req, res) => {
    await change((await known(req)).key, { kind: 'reset' }, 'flowControlKey');
    done(res);
  }));
  return router;
}
