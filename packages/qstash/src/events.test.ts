import type { Inspection, ListedRequest } from '@knocker/queue';
import { decodeEventsCursor, encodeEventsCursor } from './events-cursor.js';
import { eventOf, historyOf } from './events.js';

const attempt = (at: number, status: number) => ({
  attempt: 1, started_at: new Date(at).toISOString(), duration_ms: 5, status_code: status, error: status < 300 ? null : `HTTP ${status}`, error_code: null, error_message: null,
});
const config = { id: 'msg_1', host: 'a.example', scheme: 'https' as const, timeout: 10, retries: 1, backoff_factor: 0, callback: null };
const request = (over: Partial<ListedRequest> = {}): ListedRequest => ({
  id: 'msg_1', state: 'failed', method: 'POST', url: 'https://a.example/hook', acceptedAt: 1000, endedAt: 2000, config, lastAttempt: attempt(1500, 500), labels: ['a', 'b'], ...over,
});

describe('the events cursor', () => {
  it('holds each listing\'s place and refuses what it did not give', () => {
    const slots = { failed: '~', delivered: 'abc_-1' };
    expect(decodeEventsCursor(encodeEventsCursor(slots))).toEqual(slots);
    for (const bad of ['', '1733200000000', 'e1.a.b', 'e1.a.b.c.d.e!', `e1.${'a'.repeat(30_000)}....`, 'e2.....']) expect(decodeEventsCursor(bad)).toBeUndefined();
  });
});

describe('eventOf', () => {
  it('shows a message\'s latest state in QStash\'s words', () => {
    expect(eventOf(request())).toMatchObject({ time: 2000, state: 'FAILED', messageId: 'msg_1', error: 'HTTP 500', responseStatus: 500, label: 'a', labels: ['a', 'b'] });
    expect(eventOf(request({ state: 'delayed', endedAt: undefined, dueAt: 9000 }))).toMatchObject({ state: 'RETRY', time: 1505, nextDeliveryTime: 9000 });
    expect(eventOf(request({ state: 'waiting', endedAt: undefined, lastAttempt: undefined }))).toMatchObject({ state: 'CREATED', time: 1000 });
  });
});

describe('historyOf', () => {
  it('tells every entry of one message, from its attempts and where it is now', () => {
    const found: Inspection = {
      id: 'order~~billing', state: 'failed', method: 'POST', url: 'https://a.example/b', config, created_at: new Date(1000).toISOString(), group: 'order',
      replays: 0, attempts: [attempt(2000, 503), attempt(3000, 500)], logs: [], callback: null,
    };
    expect(historyOf(found)).toEqual([
      { time: 1000, state: 'CREATED', messageId: 'order~~billing', url: 'https://a.example/b', topicName: 'order', endpointName: 'billing' },
      expect.objectContaining({ time: 2005, state: 'ERROR', error: 'HTTP 503', responseStatus: 503 }),
      expect.objectContaining({ time: 3005, state: 'ERROR', responseStatus: 500 }),
      expect.objectContaining({ time: 3005, state: 'FAILED' }),
    ]);
    expect(historyOf({ ...found, state: 'delivered', attempts: [attempt(2000, 200)] }).map((e) => e.state)).toEqual(['CREATED', 'DELIVERED']);
    expect(historyOf({ ...found, state: 'delayed', attempts: [attempt(2000, 503)] }).map((e) => e.state)).toEqual(['CREATED', 'ERROR', 'RETRY']);
    expect(historyOf({ ...found, state: 'waiting', attempts: [] }).map((e) => e.state)).toEqual(['CREATED']);
  });
});
