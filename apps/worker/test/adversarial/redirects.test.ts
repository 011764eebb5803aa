// Targets that redirect where the request may not go (outside HOSTS_ONLY, from https down to
// http, to a private address), along a chain that outlasts Knocker-Timeout, or to another
// origin that must not see the caller's credentials; and callbacks, which must not either.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { describeAttack, loopbackTls, lostOf, startArena, waitFor, type Arena, type Recorded, type Settled } from '@knocker/test-kit';

const TIMEOUT_S = 2;
let arena: Arena;

beforeAll(async () => {
  arena = await startArena({
    name: 'adv-redirect',
    // Made-up names, resolved inside the apps only; the kit's guard stops any socket off loopback.
    fakeDns: { 'allowed.test': ['127.0.0.1'], 'elsewhere.test': ['127.0.0.1'], 'internal.test': ['10.0.0.1'] },
    env: {
      HOSTS_ONLY: 'allowed.test,internal.test', BLOCK_PRIVATE_NETWORKS: 'true', ALLOWED_NETWORKS: '127.0.0.1/32',
      NODE_EXTRA_CA_CERTS: loopbackTls.certPath,
    },
    canaryHost: (port) => `allowed.test:${port}`,
  });
}, 60_000);
afterAll(() => arena?.close());

/** Sends the requests while the worker is watched; returns how each ended, with the watch's findings. */
async function underAttack(what: string, knocks: () => Promise<string[]>): Promise<{ outcomes: Settled[]; violations: string[] }> {
  const attack = arena.attack();
  const ids = await knocks();
  const outcomes = await arena.settle(ids, 20_000);
  const report = await attack.end();
  console.log(describeAttack(what, report));
  return { outcomes, violations: [...report.violations, ...lostOf(outcomes)] };
}

const once = (host: string, headers: Array<[string, string]> = [], path?: string) => async () => [(await arena.knock(host, headers, path)).id];
const RETRIES: Array<[string, string]> = [['Knocker-Retries', '3'], ['Knocker-Backoff-Factor', '0']];
const CREDENTIALS: Array<[string, string]> = [['Authorization', 'Bearer caller-secret-token'], ['Cookie', 'session=caller-secret-cookie']];
const leaks = (r: Recorded | undefined) => [r?.headers.authorization, r?.headers.cookie].filter((v) => v !== undefined);

describe('redirects a request may not follow', () => {
  it('to a host outside HOSTS_ONLY: fails at once, not retried, the callback says redirect_refused', async () => {
    const other = await arena.target();
    const origin = await arena.hostile({ kind: 'redirect', location: `http://elsewhere.test:${other.port}/stolen` });
    const { outcomes: [o], violations } = await underAttack('redirect outside HOSTS_ONLY', once(`allowed.test:${origin.port}`, RETRIES));
    expect(violations).toEqual([]);
    expect({ state: o!.state, attempts: o!.attempts.length, error: o!.callback?.error }).toEqual({ state: 'failed', attempts: 1, error: 'redirect_refused' });
    expect(other.requests).toHaveLength(0);
  }, 60_000);

  it('from https to http: fails at once, not retried, the callback says redirect_refused', async () => {
    const plain = await arena.target();
    const origin = await arena.hostile({ kind: 'redirect', location: `http://allowed.test:${plain.port}/downgraded` }, { tls: true });
    const { outcomes: [o], violations } = await underAttack('redirect https → http', once(`allowed.test:${origin.port}`, [['Knocker-Scheme', 'https'], ...RETRIES]));
    expect(violations).toEqual([]);
    expect({ state: o!.state, attempts: o!.attempts.length, error: o!.callback?.error }).toEqual({ state: 'failed', attempts: 1, error: 'redirect_refused' });
    expect(origin.hits()).toHaveLength(1);
    expect(plain.requests).toHaveLength(0);
  }, 60_000);

  it('to a private address (BLOCK_PRIVATE_NETWORKS): fails at once as address_refused, status 403', async () => {
    const origin = await arena.hostile({ kind: 'redirect', location: 'http://internal.test:8080/admin' });
    const { outcomes: [o], violations } = await underAttack('redirect to a private address', once(`allowed.test:${origin.port}`, RETRIES));
    expect(violations).toEqual([]);
    expect({ state: o!.state, attempts: o!.attempts.length }).toEqual({ state: 'failed', attempts: 1 });
    expect(o!.callback).toMatchObject({ status_code: 403, error: 'address_refused' });
  }, 60_000);

  it('along a chain whose hops together outlast Knocker-Timeout: ends at the timeout, as a timeout', async () => {
    // Nine hops of 800 ms each, every one within MAX_REDIRECTS and well within the timeout alone.
    const chain = await arena.hostile({ kind: 'redirect-chain', hops: 9, delayMs: 800 });
    const { outcomes: [o], violations } = await underAttack('long redirect chain', once(`allowed.test:${chain.port}`, [['Knocker-Timeout', String(TIMEOUT_S)], ['Knocker-Retries', '0']], '/hop/0'));
    expect(violations).toEqual([]);
    expect({ state: o!.state, status: o!.attempts.map((a) => a.status_code) }).toEqual({ state: 'failed', status: [504] });
    expect(o!.attempts[0]!.duration_ms).toBeLessThan(TIMEOUT_S * 1000 + 2000);
  }, 60_000);
});

describe("what the caller's credentials reach", () => {
  it('a redirect to another origin carries no Authorization or Cookie of the caller', async () => {
    const next = await arena.target();
    const origin = await arena.hostile({ kind: 'redirect', location: `http://allowed.test:${next.port}/next` });
    const { outcomes: [o], violations } = await underAttack('cross-origin redirect', once(`allowed.test:${origin.port}`, CREDENTIALS));
    expect(violations).toEqual([]);
    expect(o!.state).toBe('delivered');
    // The target itself gets what its caller sent; the origin it sends Knocker to does not.
    expect(origin.hits()[0]?.headers.authorization).toBe('Bearer caller-secret-token');
    expect(leaks(next.requests[0])).toEqual([]);
    expect(next.requests).toHaveLength(1);
  }, 60_000);

  it('a failure callback and a success callback carry no Authorization or Cookie of the request', async () => {
    const failing = await arena.target(() => ({ status: 500 }));
    const fine = await arena.target();
    let delivered = '';
    const { outcomes, violations } = await underAttack('callbacks of a request with credentials', async () => {
      const failed = await arena.knock(`allowed.test:${failing.port}`, [...CREDENTIALS, ['Knocker-Retries', '0']]);
      delivered = (await arena.knock(`allowed.test:${fine.port}`, [...CREDENTIALS, ['Knocker-Success-Callback', `${arena.callbacks.url}/delivered`]])).id;
      return [failed.id, delivered];
    });
    expect(violations).toEqual([]);
    expect(outcomes.map((o) => o.state)).toEqual(['failed', 'delivered']);
    const successCallback = await waitFor(() => arena.callbacks.requests.find((r) => r.url === '/delivered' && JSON.parse(r.body.toString()).id === delivered), {
      timeoutMs: 10_000, what: 'the success callback',
    }).catch(() => undefined);
    const failureCallback = arena.callbacks.requests.find((r) => r.url === '/failed' && JSON.parse(r.body.toString()).config?.id === outcomes[0]!.id);
    expect(failing.requests[0]?.headers.authorization).toBe('Bearer caller-secret-token');
    expect({ failure: leaks(failureCallback), success: leaks(successCallback) }).toEqual({ failure: [], success: [] });
    expect(successCallback).toBeDefined();
    expect(failureCallback).toBeDefined();
  }, 60_000);
});
