import { describe, expect, it } from '@jest/globals';
import { OverloadedError } from '../errors.js';
import { createInflightGate, SHED_MIN_INFLIGHT } from './inflight.js';

describe('createInflightGate', () => {
  it('refuses past MAX_INFLIGHT with 429 and lets requests in again as others leave', () => {
    const gate = createInflightGate(2);
    expect(gate.enter()).toBeUndefined();
    expect(gate.enter()).toBeUndefined();
    expect(gate.enter()?.status).toBe(429);
    gate.leave(1);
    expect(gate.enter()).toBeUndefined();
  });

  it('sheds with the guard\'s 503 only once enough requests are under way', () => {
    const gate = createInflightGate(0, { refusal: () => new OverloadedError('event loop at least 80 ms late for 100 ms, MAX_EVENT_LOOP_DELAY_MS'), underWay: () => undefined, answered: () => undefined });
    for (let i = 0; i < SHED_MIN_INFLIGHT; i++) expect(gate.enter()).toBeUndefined();
    expect(gate.enter()?.code).toBe('overloaded');
    gate.leave(1);
    expect(gate.enter()).toBeUndefined();
  });

  it('tells the guard how long each request it let in took, and how many are under way', () => {
    const times: number[] = [];
    const underWay: number[] = [];
    const gate = createInflightGate(0, { refusal: () => undefined, underWay: (n) => underWay.push(n), answered: (ms) => times.push(ms) });
    expect(gate.enter()).toBeUndefined();
    expect(gate.enter()).toBeUndefined();
    gate.leave(12);
    expect(times).toEqual([12]);
    expect(underWay).toEqual([1, 2, 1]);
  });
});
