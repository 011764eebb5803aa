import { describe, expect, it } from '@jest/globals';
import { startWorker, startApi } from '@knocker/test-kit';

describe('a misconfigured process', () => {
  it.each([
    ['worker', startWorker, { WORKER_CONCURRENCY: 'lots' }, /WORKER_CONCURRENCY: expected a whole number/],
    ['api', startApi, { TIMEOUT: '120' }, /TIMEOUT: must not exceed TIMEOUT_MAX/],
    ['api', startApi, { DELAY_MAX: '2y' }, /DELAY_MAX: expected seconds or a duration/],
    ['worker', startWorker, { DELAY_MAX: '0' }, /DELAY_MAX: expected seconds or a duration/],
    ['worker', startWorker, { HOST_LIMITS: 'api.example.com:443 speed=3' }, /HOST_LIMITS: expected concurrency=/],
  ] as const)('%s refuses to start and names the variable', async (_name, start, env, message) => {
    const failure = await start({ redisUrl: 'redis://127.0.0.1:1', prefix: 'x', env }).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(failure?.message).toMatch(message);
    expect(failure?.message).toMatch(/exit(ed)? .*78|code 78/);
  });
});
