import { describe, expect, it } from '@jest/globals';
import { callbackJobId } from '@knocker/keys';
import { CANCELLED_REASON, requestState } from './lifecycle.js';

describe('requestState', () => {
  it("names BullMQ's states as users know them", () => {
    expect(requestState('waiting')).toBe('waiting');
    expect(requestState('prioritized')).toBe('waiting');
    expect(requestState('delayed')).toBe('delayed');
    expect(requestState('active')).toBe('active');
    expect(requestState('completed')).toBe('delivered');
    expect(requestState('failed', '500 HTTP 500')).toBe('failed');
    expect(requestState('failed', CANCELLED_REASON)).toBe('cancelled');
    expect(requestState('unknown')).toBeUndefined();
  });
});

describe('callbackJobId', () => {
  it('keeps the first run on the plain id and tells replays apart', () => {
    expect(callbackJobId('a-1')).toBe('cb-a-1');
    expect(callbackJobId('a', 1)).toBe('cb-a#1');
    expect(callbackJobId('a', 1)).not.toBe(callbackJobId('a-1'));
  });
});
