import { expect } from '@jest/globals';
import {
  openApiChecker, request, sharedRedisUrl, startApi, startWorker, stopAll, uniquePrefix, waitFor, type ApiProcess, type ChildHandle, type KnockerOptions, type Recorded,
} from '@knocker/test-kit';

export const ADMIN_KEY = 'admin-key-for-egress-tests-0123456789';

/** An api and its workers on a queue prefix of their own, with the workers' environment. */
export interface Relay {
  api: ApiProcess;
  workers: ChildHandle[];
  /** Sends a request through the api; the id it was given. */
  knock(host: string, headers?: Array<[string, string]>): Promise<string>;
  /** The stored request, attempts included. */
  inspect(id: string): Promise<{ state: string; attempts: Array<{ error: string | null; status_code: number }> } & Record<string, unknown>>;
  /** The workers' output, together. */
  output(): string;
}

const started: ChildHandle[] = [];

export async function startRelay(name: string, env: Record<string, string>, opts: { workers?: number; fakeDns?: KnockerOptions['fakeDns'] } = {}): Promise<Relay> {
  const base = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix(name), ...(opts.fakeDns && { fakeDns: opts.fakeDns }) };
  const [api, ...workers] = await Promise.all([
    startApi({ ...base, env: { ADMIN_API_KEY: ADMIN_KEY } }),
    ...Array.from({ length: opts.workers ?? 1 }, () => startWorker({ ...base, env: { ...env, ADMIN_API_KEY: ADMIN_KEY } })),
  ]);
  started.push(api, ...workers);
  return {
    api,
    workers,
    async knock(host, headers = []) {
      const res = await request(`${api.url}/hook`, { method: 'POST', headers: [['Knocker-Host', host], ['Knocker-Backoff-Factor', '0'], ...headers], body: '{"hello":"egress"}' });
      expect(res.status).toBe(200);
      return res.json().config.id as string;
    },
    inspect: async (id) => (await request(`${api.url}/knocker/requests/${id}`, { headers: { 'Knocker-Admin-Key': ADMIN_KEY } })).json(),
    output: () => workers.map((w) => w.output()).join('\n'),
  };
}

export const stopRelays = () => stopAll(started.splice(0));

/** Waits until the workers logged a line matching `pattern`. */
export function logged(relay: Relay, pattern: RegExp, timeoutMs = 15_000): Promise<true> {
  return waitFor(() => pattern.test(relay.output()), { timeoutMs, what: `the worker to log ${pattern}` })
    .catch((err: Error) => { throw new Error(`${err.message}; it logged:\n${relay.output().slice(-3000)}`); });
}

export const bodyOf = (r: Recorded | undefined) => JSON.parse(r?.body.toString() ?? 'null');

/** Throws unless `body` is a failure callback as the api's OpenAPI document describes it. */
export async function checkFailureCallback(relay: Relay, body: unknown): Promise<void> {
  openApiChecker((await request(`${relay.api.url}/knocker/openapi.json`)).json()).checkWebhook('failureCallback', body);
}
