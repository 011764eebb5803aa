import { describe, expect, it } from '@jest/globals';
import { startApi } from '@knocker/test-kit';

describe("an api whose own paths overlap", () => {
  it('refuses to start with exit 78, naming every variable at fault', async () => {
    const env = { BOARD_PATH: '/', HEALTH_PATH: '/Knocker/hc/', STATUS_URL: '/metrics' };
    const failure = await startApi({ redisUrl: 'redis://127.0.0.1:1', prefix: 'x', env }).then(() => undefined, (err: Error) => err);
    expect(failure?.message).toMatch(/exit(ed)? .*78|code 78/);
    expect(failure?.message).toMatch(/BOARD_PATH: expected a path other than \//);
    expect(failure?.message).toMatch(/HEALTH_PATH: expected a path apart from RESERVED_PREFIX \(\/knocker\)/);
    expect(failure?.message).toMatch(/STATUS_URL: expected a path apart from \/metrics/);
  });
});
