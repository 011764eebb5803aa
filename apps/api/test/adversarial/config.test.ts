// Configuration values that would make one route shadow another: the api must refuse to
// start (exit 78) and name the variables, instead of serving a surface nobody meant to open.
import { describe, expect, it } from '@jest/globals';
import { apiStartOutcome, sharedRedisUrl, uniquePrefix } from '@knocker/test-kit';

const BOARD = { BOARD_USER: 'board-admin', BOARD_PASSWORD: 'board-password-0123' };

describe('colliding paths', () => {
  it.each([
    ['BOARD_PATH=/', { BOARD_PATH: '/', ...BOARD }, ['BOARD_PATH']],
    ['HEALTH_PATH=/', { HEALTH_PATH: '/' }, ['HEALTH_PATH']],
    ['HEALTH_PATH equal to STATUS_URL', { STATUS_URL: '/status', HEALTH_PATH: '/status' }, ['HEALTH_PATH', 'STATUS_URL']],
    ['HEALTH_PATH under RESERVED_PREFIX', { HEALTH_PATH: '/knocker/hc' }, ['HEALTH_PATH', 'RESERVED_PREFIX']],
    ['BOARD_PATH equal to RESERVED_PREFIX', { BOARD_PATH: '/knocker', ...BOARD }, ['BOARD_PATH', 'RESERVED_PREFIX']],
  ] as Array<[string, Record<string, string>, string[]]>)('%s: the api exits 78 naming the variables', async (_what, env, names) => {
    const { exit, output } = await apiStartOutcome({ redisUrl: sharedRedisUrl(), prefix: uniquePrefix('adv-config'), env });
    expect(exit === 'listening' ? 'listening' : exit.code).toBe(78);
    for (const name of names) expect(output).toContain(name);
  }, 60_000);
});
