import { readPublish } from './publish.js';
import { QstashRequestError } from './errors.js';
import { readDestination } from './destination.js';
import { qstashCallbackTiming } from './callback.js';

const limits = { scheme: 'https' as const, timeout: 30, timeoutMax: 600, retries: 1, retriesMax: 10, backoffFactor: 0.5, backoffFactorMax: 60, hostsOnly: [], delayMax: 3600 };
const body = Buffer.from('{"a":1}');
const now = 1_700_000_000_000;

function problems(headers: string[], destination = 'http://127.0.0.1:9/hook'): Record<string, string> {
  try {
    readPublish({ destination, rawHeaders: headers, body }, limits, now);
  } catch (err) {
    if (err instanceof QstashRequestError) return { ...err.errors };
    throw err;
  }
  return {};
}

describe('readPublish', () => {
  it('turns the SDK headers into Knocker\'s request', () => {
    const { job, deduplicate } = readPublish({
      destination: 'http://127.0.0.1:9/hook?x=1',
      rawHeaders: ['Content-Type', 'application/json', 'Upstash-Method', 'PUT', 'Upstash-Retries', '2', 'Upstash-Delay', '10s',
        'Upstash-Timeout', '5s', 'Upstash-Callback', 'http://127.0.0.1:9/ok', 'Upstash-Failure-Callback', 'http://127.0.0.1:9/ko',
        'Upstash-Forward-My-Header', 'v', 'Upstash-Telemetry-Sdk', 'x', 'Upstash-Label', 'a,b', 'Authorization', 'Bearer token'],
      body,
    }, limits, now);
    expect(deduplicate).toBe(false);
    expect(job.config).toMatchObject({ host: '127.0.0.1:9', scheme: 'http', retries: 2, timeout: 5, callback: 'http://127.0.0.1:9/ko', success_callback: 'http://127.0.0.1:9/ok' });
    expect(job.config.id).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(job).toMatchObject({ method: 'PUT', url: 'http://127.0.0.1:9/hook?x=1', notBefore: now + 10_000, body: body.toString('base64'), qstash: { labels: ['a', 'b'] } });
    // Neither the telemetry nor the door's own Authorization goes to the destination.
    expect(job.headers).toEqual([['content-type', 'application/json'], ['my-header', 'v'], ['x-knocker', expect.any(String)]]);
  });

  it('defaults to QStash\'s three retries and a POST, Not-Before winning over the delay', () => {
    const { job } = readPublish({ destination: 'https://example.com/', rawHeaders: ['Upstash-Not-Before', String(now / 1000 + 60), 'Upstash-Delay', '1s'], body }, limits, now);
    expect(job).toMatchObject({ method: 'POST', notBefore: now + 60_000, config: { retries: 3, scheme: 'https', callback: null } });
  });

  it('gives the same id to the same deduplication id or content', () => {
    const once = (h: string[], b = body) => readPublish({ destination: 'http://127.0.0.1:9/a', rawHeaders: h, body: b }, limits, now);
    const byId = once(['Upstash-Deduplication-Id', 'abc']);
    expect(byId.deduplicate).toBe(true);
    expect(once(['Upstash-Deduplication-Id', 'abc']).job.config.id).toBe(byId.job.config.id);
    const byContent = once(['Upstash-Content-Based-Deduplication', 'true']);
    expect(once(['Upstash-Content-Based-Deduplication', 'true']).job.config.id).toBe(byContent.job.config.id);
    expect(once(['Upstash-Content-Based-Deduplication', 'true'], Buffer.from('other')).job.config.id).not.toBe(byContent.job.config.id);
  });

  it('names every bad header', () => {
    expect(problems(['Upstash-Retries', '99', 'Upstash-Delay', 'soon', 'Upstash-Method', 'BREW', 'Upstash-Timeout', '0s'])).toEqual({
      'upstash-retries': expect.stringMatching(/0 to 10/), 'upstash-delay': expect.stringMatching(/duration/),
      'upstash-method': expect.stringMatching(/one of/), 'upstash-timeout': expect.stringMatching(/above 0/),
    });
    expect(Object.keys(problems(['Upstash-Retry-Delay', 'pow(2,', 'Upstash-Redact-Fields', 'body', 'Upstash-Callback-Retries', '1'])).sort()).toEqual([
      'upstash-callback-retries', 'upstash-redact-fields', 'upstash-retry-delay',
    ]);
    expect(problems(['Upstash-Delay', '2h'])).toEqual({ 'upstash-delay': expect.stringMatching(/DELAY_MAX/) });
    expect(problems(['Upstash-Forward-Host', 'evil', 'Upstash-Forward-Knocker-Host', 'x'])).toEqual({
      'upstash-forward-host': expect.any(String), 'upstash-forward-knocker-host': expect.any(String),
    });
    expect(problems(['Upstash-Flow-Control-Key', 'k', 'Upstash-Flow-Control-Value', 'parallelism=two'])).toEqual({ 'upstash-flow-control-value': expect.any(String) });
    expect(problems(['Upstash-Retries', '1', 'upstash-retries', '2'])).toEqual({ 'upstash-retries': 'must be given once' });
    expect(problems(['Upstash-Callback', 'ftp://x'])).toEqual({ 'upstash-callback': expect.stringMatching(/http/) });
    expect(problems([], 'not a group!')).toEqual({ destination: expect.stringMatching(/URL group/) });
  });

  it('keeps the callbacks\' method, timeout, retries, delay and forwarded headers, and names what it cannot honour', () => {
    const { job } = readPublish({
      destination: 'http://127.0.0.1:9/a',
      rawHeaders: ['Upstash-Callback', 'http://127.0.0.1:9/ok', 'Upstash-Callback-Method', 'put', 'Upstash-Callback-Forward-X-Token', 't1',
        'Upstash-Callback-Retries', '0', 'Upstash-Callback-Delay', '1m',
        'Upstash-Failure-Callback', 'http://127.0.0.1:9/ko', 'Upstash-Failure-Callback-Timeout', '5s', 'Upstash-Failure-Callback-Forward-X-Ko', 'k',
        'Upstash-Failure-Callback-Retries', '10', 'Upstash-Failure-Callback-Retry-Delay', '500 * retried', 'Upstash-Retry-Delay', ' pow(2, retried) '],
      body,
    }, limits, now);
    expect(job.qstash).toEqual({
      retryDelay: 'pow(2, retried)',
      callback: { method: 'PUT', headers: [['x-token', 't1']], retries: 0, delay: 60 },
      failureCallback: { timeout: 5, headers: [['x-ko', 'k']], retries: 10, retryDelay: '500 * retried' },
    });
    expect(qstashCallbackTiming(job, false)).toEqual({ attempts: 1, delay: 60_000 });
    expect(qstashCallbackTiming(job, true)).toEqual({ attempts: 11 });
    expect(qstashCallbackTiming({ ...job, qstash: {} }, true)).toEqual({});
    const cb = ['Upstash-Callback', 'http://127.0.0.1:9/ok'];
    expect(problems([...cb, 'Upstash-Callback-Retries', '11', 'Upstash-Callback-Delay', '2h', 'Upstash-Callback-Retry-Delay', '1000 ^ 2', 'Upstash-Callback-Method', 'BREW',
      'Upstash-Callback-Forward-Host', 'x', 'Upstash-Callback-Forward-Content-Type', 'text/plain', 'Upstash-Callback-Colour', 'red'])).toEqual({
      'upstash-callback-retries': expect.stringMatching(/0 to 10/), 'upstash-callback-delay': expect.stringMatching(/DELAY_MAX/),
      'upstash-callback-retry-delay': expect.stringMatching(/cannot be read at character 6/),
      'upstash-callback-method': expect.stringMatching(/one of/), 'upstash-callback-forward-host': expect.stringMatching(/cannot be forwarded/),
      'upstash-callback-forward-content-type': expect.stringMatching(/JSON/), 'upstash-callback-colour': expect.stringMatching(/not a callback setting/),
    });
    expect(problems(['Upstash-Failure-Callback-Method', 'PUT'])).toEqual({ 'upstash-failure-callback-method': expect.stringMatching(/needs upstash-failure-callback/) });
    expect(problems([...cb, 'Upstash-Callback-Retries', '-1', 'Upstash-Failure-Callback-Delay', '1s'])).toEqual({
      'upstash-callback-retries': expect.stringMatching(/whole number/), 'upstash-failure-callback-delay': expect.stringMatching(/needs upstash-failure-callback/),
    });
  });

  it('accepts the flow-control value the SDK writes', () => {
    expect(problems(['Upstash-Flow-Control-Key', 'tenant-1', 'Upstash-Flow-Control-Value', 'parallelism=2, rate=5, period=1m'])).toEqual({});
  });
});

describe('readDestination', () => {
  it('takes the rest of the path with its query, and mends merged slashes', () => {
    expect(readDestination('/v2/publish/https://e.com/a?x=1&y=2', '/v2/publish/')).toBe('https://e.com/a?x=1&y=2');
    expect(readDestination('/v2/publish/https:/e.com/a', '/v2/publish/')).toBe('https://e.com/a');
    expect(readDestination('/v2/other', '/v2/publish/')).toBeUndefined();
  });
});
