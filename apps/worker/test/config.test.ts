import { describe, expect, it } from '@jest/globals';
import { freePort, sharedRedisUrl, startWorker, startApi } from '@knocker/test-kit';

describe('a misconfigured process', () => {
  it.each([
    ['worker', startWorker, { WORKER_CONCURRENCY: 'lots' }, /WORKER_CONCURRENCY: expected a whole number/],
    ['api', startApi, { TIMEOUT: '120' }, /TIMEOUT: must not exceed TIMEOUT_MAX/],
    ['worker', startWorker, { SIGNING_SECRETS: 'whsec_dG9vLXNob3J0' }, /SIGNING_SECRETS: expected comma-separated whsec_<base64> secrets of 24 to 64 bytes; secret #1 is not \(value not shown\)/],
    ['api', startApi, { DELAY_MAX: '2y' }, /DELAY_MAX: expected seconds or a duration/],
    ['worker', startWorker, { DELAY_MAX: '0' }, /DELAY_MAX: expected seconds or a duration/],
    ['worker', startWorker, { HOST_LIMITS: 'api.example.com:443 speed=3' }, /HOST_LIMITS: expected concurrency=/],
    ['api', startApi, { SCHEDULES_MAX: 'many' }, /SCHEDULES_MAX: expected a whole number/],
    ['worker', startWorker, { SCHEDULES_MAX: '-1' }, /SCHEDULES_MAX: expected a whole number/],
  ] as const)('%s refuses to start and names the variable', async (_name, start, env, message) => {
    const failure = await start({ redisUrl: 'redis://127.0.0.1:1', prefix: 'x', env }).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(failure?.message).toMatch(message);
    expect(failure?.message).toMatch(/exit(ed)? .*78|code 78/);
    expect(failure?.message).not.toContain('dG9vLXNob3J0');
  });
});

describe('a process given a bad Redis Cluster', () => {
  const refusal = (start: typeof startApi, opts: Parameters<typeof startApi>[0]) => start(opts).then(() => undefined, (err: Error) => err);
  const plainRedis = new URL(sharedRedisUrl()).host;

  it.each([
    ['api', startApi], ['worker', startWorker],
  ] as const)('%s refuses seeds that lead nowhere, or to no cluster, and QUEUE_SHARDS out of range', async (_name, start) => {
    const nobody = `127.0.0.1:${await freePort()}`;
    const cases: Array<[Parameters<typeof startApi>[0], RegExp]> = [
      [{ clusterNodes: `${nobody}`, prefix: '{x}' }, new RegExp(`REDIS_CLUSTER_NODES: no seed node answered .*${nobody}`)],
      [{ clusterNodes: plainRedis, prefix: '{x}' }, /REDIS_CLUSTER_NODES: .* is a Redis without cluster mode/],
      [{ clusterNodes: 'localhost', prefix: '{x}' }, /REDIS_CLUSTER_NODES: expected comma-separated host:port/],
      [{ clusterNodes: nobody, prefix: '{x}', env: { REDIS_URL: 'redis://127.0.0.1:6379' } }, /REDIS_CLUSTER_NODES: replaces REDIS_URL/],
      [{ redisUrl: 'redis://127.0.0.1:1', prefix: '{x}', env: { QUEUE_SHARDS: '17' } }, /QUEUE_SHARDS: expected a whole number from 1 to 16/],
    ];
    for (const [opts, message] of cases) {
      const failure = await refusal(start, opts);
      expect(failure?.message).toMatch(message);
      expect(failure?.message).toMatch(/exit(ed)? .*78|code 78/);
    }
  }, 60_000);
});
