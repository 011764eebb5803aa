import { describe, expect, it } from '@jest/globals';
import { flowControlInfo, readPin, readUnpin } from './flow-control.js';
import { readFlowControlValue } from './flow-value.js';

const value = (raw: string) => {
  const errors: Record<string, string> = {};
  const read = readFlowControlValue(raw, errors);
  return { read, errors };
};
const refusal = (work: () => unknown) => {
  try {
    work();
  } catch (err) {
    return (err as { errors: Record<string, string> }).errors;
  }
  throw new Error('not refused');
};

describe('Upstash-Flow-Control-Value', () => {
  it('reads what the SDK and the docs write, periods in seconds', () => {
    expect(value('parallelism=2, rate=5, period=1m')).toEqual({ read: { parallelism: 2, rate: 5, period: 60 }, errors: {} });
    expect(value('rate=10,period=1d').read).toEqual({ rate: 10, period: 86_400 });
    expect(value(' PARALLELISM=1 ').read).toEqual({ parallelism: 1 });
  });

  it('names every out-of-bounds or malformed value', () => {
    for (const raw of ['parallelism=0', 'parallelism=100001', 'rate=1000001', 'rate=1, period=8d', 'rate=1, period=0s', 'period=1m',
      'parallelism=1, parallelism=2', 'parallelism=2s', 'rate=-1', 'parallelism=1;rate=2', '', 'x'.repeat(300)]) {
      expect([raw, Object.keys(value(raw).errors)]).toEqual([raw, ['upstash-flow-control-value']]);
    }
  });
});

describe('the pin and unpin queries', () => {
  it('read the limits to pin, a period only with a rate', () => {
    expect(readPin({ parallelism: '3' })).toEqual({ parallelism: 3 });
    expect(readPin({ rate: '10', period: '60' })).toEqual({ rate: 10, period: 60 });
    expect(refusal(() => readPin({ period: '60' }))).toEqual({ period: expect.any(String) });
    expect(refusal(() => readPin({}))).toEqual({ parallelism: expect.any(String) });
    expect(refusal(() => readPin({ parallelism: ['1', '2'], rate: 'NaN' }))).toEqual({ parallelism: 'must be given once', rate: expect.any(String) });
  });

  it('read true or false for each pin', () => {
    expect(readUnpin({ parallelism: 'true' })).toEqual({ parallelism: true, rate: false });
    expect(refusal(() => readUnpin({ rate: 'yes' }))).toEqual({ rate: 'must be true or false' });
  });
});

describe('GET /v2/flowControl/<key>', () => {
  const facts = { now: 10_500, inFlight: 2, waiting: 7, paused: false, rate: { periodStart: 10_000, count: 3 } };
  const own = { parallelism: 4, rate: 5, periodMs: 60_000, pinnedParallelism: true, pinnedRate: false };

  it('shows the stricter of the operator\'s and the key\'s own limits, and the current period', () => {
    expect(flowControlInfo('k', { ...facts, own }, { concurrency: 0, rate: 0 })).toEqual({
      flowControlKey: 'k', waitListSize: 7, parallelismMax: 4, parallelismCount: 2, rateMax: 5, rateCount: 3, ratePeriod: 60,
      ratePeriodStart: 10, isPaused: false, isPinnedParallelism: true, isPinnedRate: false,
    });
    // HOST_CONCURRENCY=2 is stricter than 4 at once; HOST_RATE=1 a second is looser than 5 a minute.
    expect(flowControlInfo('k', { ...facts, own }, { concurrency: 2, rate: 1 })).toMatchObject({ parallelismMax: 2, rateMax: 5, ratePeriod: 60 });
    expect(flowControlInfo('k', { ...facts, own: undefined }, { concurrency: 0, rate: 1 })).toMatchObject({ rateMax: 1, ratePeriod: 1, rateCount: 3 });
  });

  it('counts nothing in a period that has ended', () => {
    expect(flowControlInfo('k', { ...facts, now: 20_000, own: undefined }, { concurrency: 0, rate: 1 })).toMatchObject({ rateCount: 0, ratePeriodStart: 20 });
  });
});
