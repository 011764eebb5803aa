import type { Env } from './schema.js';

/**
 * One Redis topology at a time: REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS. REDIS_URL
 * counts as set only when the environment gives it (its default does not), so either of the
 * others works alone; and the sentinel settings go together.
 */
export function redisModeProblems(known: Readonly<Record<string, unknown>>, env: Env): Record<string, string> {
  const problems: Record<string, string> = {};
  const url = known['REDIS_URL'] !== undefined;
  const cluster = env.REDIS_CLUSTER_NODES !== undefined;
  const sentinels = env.REDIS_SENTINELS !== undefined;
  if (cluster && url) problems['REDIS_CLUSTER_NODES'] = 'replaces REDIS_URL: set REDIS_URL or REDIS_CLUSTER_NODES, not both';
  if (sentinels && (url || cluster)) {
    const others = [url && 'REDIS_URL', cluster && 'REDIS_CLUSTER_NODES'].filter(Boolean).join(' and ');
    problems['REDIS_SENTINELS'] = `replaces ${others}: set one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS`;
  }
  if (sentinels && env.REDIS_SENTINEL_NAME === undefined) {
    problems['REDIS_SENTINEL_NAME'] = 'must be set with REDIS_SENTINELS: the name under which the sentinels monitor the primary';
  }
  if (!sentinels) {
    for (const name of ['REDIS_SENTINEL_NAME', 'REDIS_SENTINEL_PASSWORD']) {
      if (known[name] !== undefined) problems[name] = 'is read only with REDIS_SENTINELS, which is not set';
    }
  }
  return problems;
}
