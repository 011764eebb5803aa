import type { ListedRequest } from '@knocker/queue';
import { readCount, readFilters } from './filters.js';

const request = (over: Partial<ListedRequest> = {}): ListedRequest => ({
  id: 'msg_1', state: 'failed', method: 'POST', url: 'https://a.example/hook?x=1', acceptedAt: 1000, endedAt: 2000,
  config: { id: 'msg_1', host: 'a.example', scheme: 'https', timeout: 10, retries: 1, backoff_factor: 0, callback: null, flow_key: 'tenant' },
  lastAttempt: { attempt: 2, started_at: new Date(1500).toISOString(), duration_ms: 5, status_code: 500, error: 'HTTP 500', error_code: null, error_message: null },
  labels: ['a', 'b'], schedule: 'scd_1', ...over,
});
const read = (query: string, own: string[] = ['count']) => {
  const errors: Record<string, string> = {};
  const { filters } = readFilters(new URLSearchParams(query), ['url', 'host', 'path', 'label', 'responseStatus', 'fromDate', 'toDate', 'scheduleId', 'flowControlKey', 'callerIp'], own, errors);
  return { filters, errors };
};

describe('readFilters', () => {
  it('matches any value of a filter and every filter given', () => {
    const { filters, errors } = read('host=a.example&host=b.example&path=/hook&label=b&responseStatus=500&responseStatus=502&scheduleId=scd_1&flowControlKey=tenant&fromDate=10&toDate=5000');
    expect(errors).toEqual({});
    expect(filters).toMatchObject({ since: 10, until: 5000 });
    expect(filters.match!(request())).toBe(true);
    expect(filters.match!(request({ labels: ['c'] }))).toBe(false);
    expect(filters.match!(request({ url: 'https://c.example/hook' }))).toBe(false);
    expect(read('url=https://a.example/hook?x=1').filters.match!(request())).toBe(true);
  });

  it('names each filter it cannot read or honour', () => {
    expect(read('responseStatus=abc&fromDate=yesterday&callerIp=1.2.3.4&colour=red&url=').errors).toEqual({
      responseStatus: expect.stringMatching(/100 to 999/), fromDate: expect.stringMatching(/ms/), callerIp: expect.stringMatching(/not supported/),
      colour: expect.stringMatching(/not a filter/), url: expect.stringMatching(/1 to 100 values/),
    });
    expect(read(Array.from({ length: 101 }, () => 'label=x').join('&')).errors).toEqual({ label: expect.stringMatching(/1 to 100/) });
    expect(read('fromDate=9&toDate=8').errors).toEqual({ fromDate: expect.stringMatching(/after toDate/) });
  });

  it('reads count within its bounds', () => {
    const count = (q: string) => {
      const errors: Record<string, string> = {};
      return [readCount(new URLSearchParams(q), 100, 500, errors), errors];
    };
    expect(count('')).toEqual([100, {}]);
    expect(count('count=7')).toEqual([7, {}]);
    for (const bad of ['count=0', 'count=501', 'count=1e3', 'count=99999999999', 'count=1&count=2']) expect(count(bad)[1]).toEqual({ count: expect.any(String) });
  });
});

