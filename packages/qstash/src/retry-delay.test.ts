import { parseRetryDelay, retryDelayMsOf, RETRY_DELAY_MAX_LENGTH } from './retry-delay.js';

const at = (source: string, retried: number) => {
  const expr = parseRetryDelay(source);
  if (typeof expr === 'string') throw new Error(expr);
  return expr(retried);
};

describe('Upstash-Retry-Delay expressions', () => {
  it('evaluates QStash\'s arithmetic over retried', () => {
    expect(at('1000', 3)).toBe(1000);
    expect(at('1000 * pow(2, retried)', 0)).toBe(1000);
    expect(at('1000 * pow(2, retried)', 3)).toBe(8000);
    expect(at('1000 + retried * 500 - 100 / 4', 2)).toBe(1975);
    expect(at('-(2 - 5) * +3', 0)).toBe(9);
    expect(at('max(10, min(retried, 5)) + abs(-1) + sqrt(16) + floor(1.7) + ceil(1.2) + round(2.5) + round(-2.5)', 9)).toBe(10 + 1 + 4 + 1 + 2 + 3 - 3);
    expect(at('exp(0) * 1000', 0)).toBe(1000);
    expect(at(' 2*(retried+1) ', 1)).toBe(4);
    expect(at('.5 * 4', 0)).toBe(2);
  });

  it('names what is wrong with an expression', () => {
    const cases: Array<[string, RegExp]> = [
      ['', /1 to 256/], ['1'.repeat(RETRY_DELAY_MAX_LENGTH + 1), /1 to 256/], ['1000 ^ 2', /character 6/], ['retry', /"retry"/],
      ['constructor(1)', /"constructor"/], ['pow(2)', /pow with 1/], ['min(1, 2, 3)', /min with 3/], ['(1 + 2', /"\)"/], ['1 2', /"2" where it should end/],
      ['1 +', /ends where a value/], ['sqrt 4', /"\("/], ['(((((((((((((((((1)))))))))))))))))', /deeper than 16/], [`${'-'.repeat(40)}1`, /deeper than 16/],
      ['retried;1', /character 8/],
    ];
    for (const [source, problem] of cases) expect([source, parseRetryDelay(source)]).toEqual([source, expect.stringMatching(problem)]);
  });

  it('waits within 0 and the bound, and leaves a result that is no number to the backoff', () => {
    expect(retryDelayMsOf('1000 * pow(2, retried)', 4, 60_000)).toBe(16_000);
    expect(retryDelayMsOf('1000 * pow(2, retried)', 40, 60_000)).toBe(60_000);
    expect(retryDelayMsOf('1 / 0', 0, 60_000)).toBe(60_000);
    expect(retryDelayMsOf('exp(1000)', 0, 60_000)).toBe(60_000);
    expect(retryDelayMsOf('0 - 5000', 0, 60_000)).toBe(0);
    expect(retryDelayMsOf('0.4', 0, 60_000)).toBe(0);
    expect(retryDelayMsOf('sqrt(0 - 1)', 0, 60_000)).toBeUndefined();
    expect(retryDelayMsOf('0 / 0', 0, 60_000)).toBeUndefined();
    expect(retryDelayMsOf('bad(', 0, 60_000)).toBeUndefined();
    expect(retryDelayMsOf(undefined, 0, 60_000)).toBeUndefined();
  });
});
