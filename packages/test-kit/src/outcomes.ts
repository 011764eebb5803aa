import { request } from './http.js';
import type { Recorded } from './target.js';
import { sleep } from './wait.js';

/** One attempt as the inspection route reports it. */
export interface AttemptView {
  attempt: number;
  status_code: number;
  duration_ms: number;
  error: string | null;
  error_code: string | null;
}

/** Where an accepted request ended up. */
export interface Settled {
  id: string;
  /** delivered, failed, cancelled, waiting, delayed, active; `unknown` when the api no longer knows it. */
  state: string;
  attempts: AttemptView[];
  /** The body of the failure callback that arrived for it, if one did. */
  callback?: Record<string, any>;
}

export interface SettleOptions {
  /** The api, and its ADMIN_API_KEY for the inspection route. */
  apiUrl: string;
  adminKey: string;
  reservedPrefix?: string;
  ids: readonly string[];
  /** What the failure callback URL received. */
  callbacks: () => readonly Recorded[];
  timeoutMs: number;
  /** Stop waiting early, e.g. when the only worker is gone. */
  giveUp?: () => boolean;
}

/**
 * Waits until every request is settled: delivered, or failed with its callback received (or
 * the timeout passes); reads each through `GET <prefix>/requests/<id>`.
 */
export async function settle(opts: SettleOptions): Promise<Settled[]> {
  const deadline = Date.now() + opts.timeoutMs;
  const known = new Map<string, Settled>();
  for (;;) {
    const byId = callbacksById(opts.callbacks());
    const open = opts.ids.filter((id) => !isSettled(known.get(id)));
    for (let i = 0; i < open.length; i += 10) {
      await Promise.all(open.slice(i, i + 10).map(async (id) => {
        const view = await inspect(opts, id);
        known.set(id, { ...view, ...(byId.has(id) && { callback: byId.get(id) }) });
      }));
    }
    const done = opts.ids.every((id) => isSettled(known.get(id)));
    if (done || Date.now() > deadline || opts.giveUp?.()) {
      return opts.ids.map((id) => known.get(id) ?? { id, state: 'unknown', attempts: [] });
    }
    await sleep(300);
  }
}

async function inspect(opts: SettleOptions, id: string): Promise<Omit<Settled, 'callback'>> {
  const reply = await request(`${opts.apiUrl}${opts.reservedPrefix ?? '/knocker'}/requests/${encodeURIComponent(id)}`, {
    headers: { 'Knocker-Admin-Key': opts.adminKey }, timeoutMs: 5000,
  }).catch(() => undefined);
  if (reply?.status !== 200) return { id, state: 'unknown', attempts: [] };
  const view = reply.json() as { state: string; attempts: AttemptView[] };
  return { id, state: view.state, attempts: view.attempts };
}

function isSettled(o: Settled | undefined): boolean {
  return o !== undefined && (o.state === 'delivered' || (o.state === 'failed' && o.callback !== undefined));
}

/** Failure callbacks by the id of their request (config.id of their JSON body). */
export function callbacksById(received: readonly Recorded[]): Map<string, Record<string, any>> {
  const out = new Map<string, Record<string, any>>();
  for (const r of received) {
    try {
      const body = JSON.parse(r.body.toString('utf8')) as Record<string, any>;
      const id = body['config']?.id;
      if (typeof id === 'string' && !out.has(id)) out.set(id, body);
    } catch {
      // not a callback
    }
  }
  return out;
}

/**
 * Accepted requests neither delivered nor failed with a callback (lost, as far as their caller
 * can tell), grouped by where they stopped: `"3 active: a-1, a-2, a-3"`. Empty when none.
 */
export function lostOf(outcomes: readonly Settled[]): string[] {
  const groups = new Map<string, string[]>();
  for (const o of outcomes) {
    if (isSettled(o)) continue;
    const where = o.state === 'failed' ? 'failed without a callback' : o.state;
    groups.set(where, [...(groups.get(where) ?? []), o.id]);
  }
  return [...groups].map(([where, ids]) => `${ids.length} ${where}: ${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''}`);
}
