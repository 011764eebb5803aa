import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from './index.js';

function problemsOf(env: Record<string, string>): Record<string, string> {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return { ...err.problems };
    throw err;
  }
  return {};
}

describe("the api's own paths", () => {
  it('are accepted apart from each other, and with the status page under RESERVED_PREFIX', () => {
    expect(problemsOf({})).toEqual({});
    expect(problemsOf({ STATUS_URL: '/knocker/status/' })).toEqual({});
    expect(problemsOf({ STATUS_URL: '/Knocker' })).toEqual({});
    expect(problemsOf({ STATUS_URL: '/', HEALTH_PATH: '/healthz', BOARD_PATH: '/board', RESERVED_PREFIX: '/_k' })).toEqual({});
    // Siblings sharing a beginning are apart: /hc does not hold /hcx.
    expect(problemsOf({ HEALTH_PATH: '/hc', BOARD_PATH: '/hcx', STATUS_URL: '/knockerx' })).toEqual({});
    // Without metrics the api serves no /metrics, and the path is free.
    expect(problemsOf({ METRICS_ENABLED: 'false', STATUS_URL: '/metrics' })).toEqual({});
  });

  it('refuses a router mounted at /', () => {
    expect(problemsOf({ BOARD_PATH: '/' })).toEqual({ BOARD_PATH: expect.stringMatching(/other than \/: .*nothing would be relayed/) });
    expect(problemsOf({ HEALTH_PATH: '/' })).toEqual({ HEALTH_PATH: expect.stringMatching(/other than \//) });
    expect(Object.keys(problemsOf({ HEALTH_PATH: '/', BOARD_PATH: '/' })).sort()).toEqual(['BOARD_PATH', 'HEALTH_PATH']);
  });

  it('names the variable that was set, and the one it overlaps', () => {
    expect(problemsOf({ HEALTH_PATH: '/Admin/' })).toEqual({ HEALTH_PATH: expect.stringMatching(/^expected a path apart from BOARD_PATH \(\/admin\/queues\)/) });
    expect(problemsOf({ BOARD_PATH: '/hc/board' })).toEqual({ BOARD_PATH: expect.stringMatching(/apart from HEALTH_PATH \(\/hc\)/) });
    expect(problemsOf({ RESERVED_PREFIX: '/hc' })).toEqual({ RESERVED_PREFIX: expect.stringMatching(/apart from HEALTH_PATH \(\/hc\)/) });
    expect(problemsOf({ STATUS_URL: '/metrics' })).toEqual({ STATUS_URL: expect.stringMatching(/apart from \/metrics, where the api serves its metrics/) });
    expect(problemsOf({ HEALTH_PATH: '/x', BOARD_PATH: '/X/y' })).toEqual({ BOARD_PATH: expect.stringMatching(/apart from HEALTH_PATH \(\/x\)/) });
    expect(problemsOf({ STATUS_URL: '/s', BOARD_PATH: '/s' })).toEqual({ STATUS_URL: expect.stringMatching(/apart from BOARD_PATH \(\/s\)/) });
    // Moved together, the prefix still holds the board.
    expect(problemsOf({ BOARD_PATH: '/k/board', RESERVED_PREFIX: '/k' })).toEqual({ RESERVED_PREFIX: expect.stringMatching(/apart from BOARD_PATH \(\/k\/board\)/) });
  });

  it('says so in the start-up error', () => {
    expect(() => loadConfig({ HEALTH_PATH: '/knocker/hc' })).toThrow(/Invalid configuration: HEALTH_PATH: expected a path apart from RESERVED_PREFIX \(\/knocker\)/);
  });
});
