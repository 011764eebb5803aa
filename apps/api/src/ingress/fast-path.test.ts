import { describe, expect, it } from '@jest/globals';
import { reservedMatcher } from './fast-path.js';

describe('reservedMatcher', () => {
  const reserved = reservedMatcher(['/hc', '/knocker/status', '/knocker', '/metrics', '/admin/queues/']);

  it('leaves Knocker\'s own paths to express, as express matches them', () => {
    for (const url of ['/hc', '/hc/', '/hc/_self', '/HC/redis', '/knocker', '/knocker/requests/x?y=1', '/Metrics', '/metrics?x', '/admin/queues', '/admin/Queues/api']) {
      expect([url, reserved(url)]).toEqual([url, true]);
    }
  });

  it('relays other paths directly, prefixes of a segment included', () => {
    for (const url of ['/', '/hook', '/hcx', '/hooks/hc', '/knockers', '/metrics2', '/admin/queue', '/?/hc']) {
      expect([url, reserved(url)]).toEqual([url, false]);
    }
  });

  it('leaves to express what it cannot rule out quickly: %-escapes, absolute-form and asterisk targets', () => {
    for (const url of ['/%68c', 'http://example.com/hc', '*', '']) expect([url, reserved(url)]).toEqual([url, true]);
  });

  it('leaves everything to express when a reserved path is the root', () => {
    expect(reservedMatcher(['/', '/hc'])('/hook')).toBe(true);
  });
});
