import { Redis } from 'ioredis';
import type { SentinelTarget } from '../connection.js';

/** A sentinel setting refused at start-up: the variable to name, and why. */
export interface SentinelProblem {
  variable: 'REDIS_SENTINELS' | 'REDIS_SENTINEL_NAME' | 'REDIS_SENTINEL_PASSWORD';
  problem: string;
}

type Answer = 'primary' | 'unknown-name' | 'not-sentinel' | 'auth' | 'unreachable';

/**
 * What is wrong with the sentinel settings, checked once at start-up: no sentinel answers,
 * a listed address is no sentinel, the sentinels refuse the password, or none of them
 * monitors a primary of that name. Some sentinels down is not: the others name the primary,
 * and `warn` says which. A primary that is down is not either: the connection waits for it
 * as for any Redis, and the sentinels may be promoting a replica.
 */
export async function probeSentinels(target: SentinelTarget, timeoutMs: number, warn: (message: string) => void): Promise<SentinelProblem | undefined> {
  const answers = await Promise.all(target.nodes.map(async ({ host, port }) => ({ name: `${host}:${port}`, answer: await ask(target, host, port, timeoutMs) })));
  const of = (a: Answer) => answers.filter((r) => r.answer === a).map((r) => r.name);
  if (of('not-sentinel').length > 0) return { variable: 'REDIS_SENTINELS', problem: `${of('not-sentinel').join(', ')} is a Redis but not a sentinel` };
  if (of('auth').length > 0) return { variable: 'REDIS_SENTINEL_PASSWORD', problem: `the sentinels ${of('auth').join(', ')} refused it (or need one)` };
  if (of('unreachable').length === answers.length) return { variable: 'REDIS_SENTINELS', problem: `no sentinel answered within ${timeoutMs} ms (${of('unreachable').join(', ')})` };
  if (of('primary').length === 0) {
    return { variable: 'REDIS_SENTINEL_NAME', problem: `no sentinel monitors a primary named ${JSON.stringify(target.name)} (${of('unknown-name').join(', ')} answered)` };
  }
  const others = [...of('unreachable'), ...of('unknown-name')];
  if (others.length > 0) warn(`Sentinels ${others.join(', ')} (REDIS_SENTINELS) do not answer for ${JSON.stringify(target.name)}; using the others`);
  return undefined;
}

async function ask(target: SentinelTarget, host: string, port: number, timeoutMs: number): Promise<Answer> {
  const sentinel = new Redis({
    host, port, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, commandTimeout: timeoutMs,
    retryStrategy: () => null, ...(target.sentinelPassword && { password: target.sentinelPassword }), ...(target.tls && { tls: {} }),
  });
  sentinel.on('error', () => undefined);
  try {
    await sentinel.connect();
    const primary = await sentinel.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', target.name);
    return Array.isArray(primary) ? 'primary' : 'unknown-name';
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (/NOAUTH|WRONGPASS|invalid password|AUTH/i.test(message)) return 'auth';
    if (/unknown command|unknown subcommand/i.test(message)) return 'not-sentinel';
    return 'unreachable';
  } finally {
    sentinel.disconnect();
  }
}
