import { Redis } from 'ioredis';
import type { ClusterTarget } from './connection.js';

/**
 * What is wrong with a cluster's seed list, checked once at start-up: a seed that answers
 * but is no cluster node is a mistake, and so is a list of which no seed answers. Some
 * seeds down is not: the others lead to the cluster, and the result says which.
 */
export async function probeCluster(target: ClusterTarget, timeoutMs: number, warn: (message: string) => void): Promise<string | undefined> {
  const { problem, unreachable } = await probe(target, timeoutMs);
  if (problem === undefined && unreachable.length > 0) warn(`Seed nodes ${unreachable.join(', ')} (REDIS_CLUSTER_NODES) do not answer; using the others`);
  return problem;
}

async function probe(target: ClusterTarget, timeoutMs: number): Promise<{ problem?: string; unreachable: string[] }> {
  const results = await Promise.all(target.nodes.map(async ({ host, port }) => {
    const node = new Redis({
      host, port, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, commandTimeout: timeoutMs,
      retryStrategy: () => null, ...(target.username && { username: target.username }), ...(target.password && { password: target.password }), ...(target.tls && { tls: {} }),
    });
    node.on('error', () => undefined);
    const name = `${host}:${port}`;
    try {
      await node.connect();
      const info = await node.call('CLUSTER', 'INFO');
      return { name, state: /cluster_state:ok/.test(String(info)) ? 'ok' as const : 'not-ok' as const };
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (/cluster support disabled/i.test(message)) return { name, state: 'no-cluster' as const };
      if (/NOAUTH|WRONGPASS|invalid password|AUTH/i.test(message)) return { name, state: 'auth' as const };
      return { name, state: 'unreachable' as const };
    } finally {
      node.disconnect();
    }
  }));
  const unreachable = results.filter((r) => r.state === 'unreachable').map((r) => r.name);
  const of = (state: string) => results.filter((r) => r.state === state).map((r) => r.name).join(', ');
  if (of('no-cluster')) return { problem: `${of('no-cluster')} is a Redis without cluster mode (cluster-enabled no), not a cluster node`, unreachable };
  if (of('auth')) return { problem: `${of('auth')} refused the credentials`, unreachable };
  if (!results.some((r) => r.state === 'ok' || r.state === 'not-ok')) {
    return { problem: `no seed node answered within ${timeoutMs} ms (${unreachable.join(', ')})`, unreachable };
  }
  return { unreachable };
}
