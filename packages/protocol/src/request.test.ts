import { describe, expect, it } from '@jest/globals';
import { InvalidRequestError, KNOCKER_VERSION, LoopDetectedError, parseKnockRequest, type ProtocolLimits } from './index.js';

const limits: ProtocolLimits = {
  scheme: 'https', timeout: 10, timeoutMax: 60, retries: 2, retriesMax: 10, backoffFactor: 0.5, backoffFactorMax: 600, hostsOnly: [],
};

function parse(headers: Record<string, string> | string[], target = '/hook?a=1', l: ProtocolLimits = limits) {
  const rawHeaders = Array.isArray(headers) ? headers : Object.entries(headers).flat();
  return parseKnockRequest({ method: 'POST', target, rawHeaders }, l, () => 'generated');
}

function errorsOf(headers: Record<string, string> | string[], target?: string, l?: ProtocolLimits): Record<string, string> {
  try {
    parse(headers, target, l);
  } catch (err) {
    if (err instanceof InvalidRequestError) return { ...err.errors };
    throw err;
  }
  throw new Error('expected an InvalidRequestError');
}

describe('parseKnockRequest', () => {
  it('applies the defaults and builds the target url from scheme, host and the original path', () => {
    const r = parse({ 'Knocker-Host': 'target.example' });
    expect(r.config).toEqual({ id: 'generated', host: 'target.example', scheme: 'https', timeout: 10, retries: 2, backoff_factor: 0.5, callback: null });
    expect(r.url).toBe('https://target.example/hook?a=1');
    expect(r.method).toBe('POST');
  });

  it('reads every header, case-insensitively, and keeps the port', () => {
    const r = parse({
      'KNOCKER-HOST': 'https://Target.Example:8443', 'knocker-scheme': 'HTTP', 'Knocker-Timeout': '2.5', 'Knocker-Retries': '0',
      'Knocker-Backoff-Factor': '0', 'Knocker-Callback': 'http://cb.example/failed?x=1', 'Knocker-Id': 'order-42/1',
    });
    expect(r.config).toEqual({
      id: 'order-42/1', host: 'target.example:8443', scheme: 'http', timeout: 2.5, retries: 0, backoff_factor: 0, callback: 'http://cb.example/failed?x=1',
    });
    expect(r.url).toBe('http://target.example:8443/hook?a=1');
  });

  it('accepts the bounds themselves', () => {
    const r = parse({ 'Knocker-Host': 'h', 'Knocker-Timeout': '60', 'Knocker-Retries': '10', 'Knocker-Backoff-Factor': '600' });
    expect(r.config).toMatchObject({ timeout: 60, retries: 10, backoff_factor: 600 });
  });

  it.each([
    ['knocker-host', '', /is required/],
    ['knocker-host', 'user:pw@target.example', /without user info/],
    ['knocker-host', 'target.example/path', /without user info or path/],
    ['knocker-host', 'target example', /host name/],
    ['knocker-host', 'target.example:0', /port outside/],
    ['knocker-host', 'target.example:99999', /port outside/],
    ['knocker-host', '[1::2::3]', /IPv6/],
    ['knocker-scheme', 'ftp', /must be one of https, http, got "ftp"/],
    ['knocker-timeout', '0', /above 0 and at most 60, got "0"/],
    ['knocker-timeout', '60.5', /at most 60/],
    ['knocker-timeout', '-1', /above 0/],
    ['knocker-timeout', 'NaN', /above 0/],
    ['knocker-timeout', '1e2', /above 0/],
    ['knocker-retries', '11', /whole number from 0 to 10, got "11"/],
    ['knocker-retries', '1.5', /whole number/],
    ['knocker-retries', '-1', /whole number/],
    ['knocker-backoff-factor', '601', /from 0 to 600/],
    ['knocker-backoff-factor', 'fast', /from 0 to 600/],
    ['knocker-callback', '/relative', /absolute http/],
    ['knocker-callback', 'ftp://cb.example/', /absolute http/],
    ['knocker-success-callback', '/relative', /absolute http/],
    ['knocker-success-callback', 'ftp://cb.example/', /absolute http/],
    ['knocker-retry-on', '', /at least one/],
    ['knocker-retry-on', '5xx,teapot', /invalid entry "teapot"/],
    ['knocker-id', 'has space', /1 to 128 characters/],
    ['knocker-id', 'a:b', /1 to 128 characters/],
    ['knocker-id', 'x'.repeat(129), /1 to 128 characters/],
  ])('refuses %s: %j', (header, value, message) => {
    const base: Record<string, string> = { 'knocker-host': 'target.example' };
    const errors = errorsOf({ ...base, [header]: value });
    expect(Object.keys(errors)).toEqual([header]);
    expect(errors[header]).toMatch(message);
  });

  it('reports every bad header at once', () => {
    expect(Object.keys(errorsOf({ 'Knocker-Timeout': 'x', 'Knocker-Retries': 'y' })).sort()).toEqual(['knocker-host', 'knocker-retries', 'knocker-timeout']);
  });

  it('reads Knocker-Catch as a list of patterns, repeats joined, and keeps it out of the custom headers', () => {
    const r = parse(['Knocker-Host', 'h', 'Knocker-Catch', 'request.*, auth.denied', 'knocker-catch', 'quota.?']);
    expect(r.config.catch).toEqual(['request.*', 'auth.denied', 'quota.?']);
    expect(r.config).not.toHaveProperty('knocker-catch');
    expect(parse({ 'Knocker-Host': 'h' }).config).not.toHaveProperty('catch');
    expect(errorsOf({ 'Knocker-Host': 'h', 'Knocker-Catch': 'request.{a,b}' })).toEqual({ 'knocker-catch': expect.stringMatching(/invalid pattern/) });
  });

  it('reads Knocker-Flow-Key once, checked, and keeps it out of the custom headers', () => {
    const r = parse({ 'Knocker-Host': 'h', 'Knocker-Flow-Key': 'tenant-7' });
    expect(r.config.flow_key).toBe('tenant-7');
    expect(r.config).not.toHaveProperty('knocker-flow-key');
    expect(parse({ 'Knocker-Host': 'h' }).config).not.toHaveProperty('flow_key');
    for (const bad of ['', 'a b', '{tag}', 'x'.repeat(129), 'a,b']) {
      expect(errorsOf({ 'Knocker-Host': 'h', 'Knocker-Flow-Key': bad })).toEqual({ 'knocker-flow-key': expect.stringMatching(/must be 1 to 128/) });
    }
    expect(errorsOf(['Knocker-Host', 'h', 'Knocker-Flow-Key', 'a', 'Knocker-Flow-Key', 'b'])).toEqual({ 'knocker-flow-key': 'must be given once' });
  });

  it('reads Knocker-Order-Key once, checked, beside the config (never in it), and refuses it with Knocker-Cron', () => {
    const r = parse({ 'Knocker-Host': 'h', 'Knocker-Order-Key': 'customer-42/orders' });
    expect(r.orderKey).toBe('customer-42/orders');
    expect(r.config).not.toHaveProperty('knocker-order-key');
    expect(parse({ 'Knocker-Host': 'h' })).not.toHaveProperty('orderKey');
    expect(parse({ 'Knocker-Host': 'h', 'Knocker-Order-Key': 'x'.repeat(128) }).orderKey).toHaveLength(128);
    for (const bad of ['', ' ', 'a b', 'a:b', '-lead', 'x'.repeat(129), 'quote"d', 'back\\slash', 'ünï']) {
      expect(errorsOf({ 'Knocker-Host': 'h', 'Knocker-Order-Key': bad })).toEqual({ 'knocker-order-key': expect.stringMatching(/must be 1 to 128/) });
    }
    expect(errorsOf(['Knocker-Host', 'h', 'Knocker-Order-Key', 'a', 'Knocker-Order-Key', 'b'])).toEqual({ 'knocker-order-key': 'must be given once' });
    expect(errorsOf({ 'Knocker-Host': 'h', 'Knocker-Order-Key': 'a', 'Knocker-Cron': '* * * * *' })).toEqual({ 'knocker-order-key': expect.stringMatching(/Knocker-Cron/) });
    expect(errorsOf({ 'Knocker-Group': 'team', 'Knocker-Order-Key': 'a' })).toEqual({ 'knocker-order-key': expect.stringMatching(/Knocker-Group/) });
  });

  it('reads Knocker-Retry-On as a list, repeats joined, and keeps it out of the custom headers', () => {
    const r = parse(['Knocker-Host', 'h', 'Knocker-Retry-On', '5XX, 429', 'knocker-retry-on', 'network']);
    expect(r.config.retry_on).toEqual(['5xx', '429', 'network']);
    expect(r.config).not.toHaveProperty('knocker-retry-on');
    expect(parse({ 'Knocker-Host': 'h' }).config).not.toHaveProperty('retry_on');
  });

  it('reads Knocker-Success-Callback once, checks its address, and leaves it out when not given', () => {
    const refuseAddress = (h: string) => (h === '10.0.0.1' ? 'private' : undefined);
    const r = parse({ 'Knocker-Host': 'h', 'Knocker-Success-Callback': 'https://cb.example/ok' });
    expect(r.config.success_callback).toBe('https://cb.example/ok');
    expect(r.config).not.toHaveProperty('knocker-success-callback');
    expect(parse({ 'Knocker-Host': 'h' }).config).not.toHaveProperty('success_callback');
    expect(errorsOf({ 'Knocker-Host': 'h', 'Knocker-Success-Callback': 'http://10.0.0.1/' }, '/', { ...limits, refuseAddress }))
      .toEqual({ 'knocker-success-callback': 'is not allowed: private' });
    expect(errorsOf(['Knocker-Host', 'h', 'Knocker-Success-Callback', 'http://a/', 'Knocker-Success-Callback', 'http://b/']))
      .toEqual({ 'knocker-success-callback': 'must be given once' });
  });

  it('never keeps the admin credential, even on a relayed request', () => {
    const r = parse({ 'Knocker-Host': 'h', 'Knocker-Admin-Key': 'secret-secret-secret', 'Knocker-Trace': 't' });
    expect(r.config).not.toHaveProperty('knocker-admin-key');
    expect(JSON.stringify(r)).not.toContain('secret-secret-secret');
  });

  it('accepts ids BullMQ would refuse as job ids on their own', () => {
    expect(parse({ 'Knocker-Host': 'h', 'Knocker-Id': '0' }).config.id).toBe('0');
    expect(parse({ 'Knocker-Host': 'h', 'Knocker-Id': '123' }).config.id).toBe('123');
  });

  it('refuses a control header given twice', () => {
    expect(errorsOf(['Knocker-Host', 'a.example', 'Knocker-Host', 'b.example'])).toEqual({ 'knocker-host': 'must be given once' });
  });

  it('enforces HOSTS_ONLY on the name, or on name:port when listed so', () => {
    const only = { ...limits, hostsOnly: ['a.example', 'b.example:8080'] };
    expect(parse({ 'Knocker-Host': 'A.example:9000' }, '/', only).config.host).toBe('a.example:9000');
    expect(parse({ 'Knocker-Host': 'b.example:8080' }, '/', only).config.host).toBe('b.example:8080');
    expect(errorsOf({ 'Knocker-Host': 'b.example:8081' }, '/', only)['knocker-host']).toMatch(/HOSTS_ONLY/);
    expect(errorsOf({ 'Knocker-Host': 'c.example' }, '/', only)['knocker-host']).toMatch(/only to a.example, b.example:8080/);
  });

  it('asks refuseAddress about the target and callback hosts, next to the other problems', () => {
    const asked: string[] = [];
    const refuseAddress = (h: string) => (asked.push(h), h.startsWith('10.') || h === '[fe80::1]' ? `${h} is private` : undefined);
    const errors = errorsOf({ 'Knocker-Host': '10.0.0.1:80', 'Knocker-Callback': 'http://[fe80::1]/cb', 'Knocker-Retries': 'x' }, '/', { ...limits, refuseAddress });
    expect(errors).toEqual({
      'knocker-host': 'is not allowed: 10.0.0.1 is private', 'knocker-callback': 'is not allowed: [fe80::1] is private', 'knocker-retries': expect.any(String),
    });
    expect(parse({ 'Knocker-Host': 'ok.example', 'Knocker-Callback': 'http://cb.example/' }, '/', { ...limits, refuseAddress }).config.host).toBe('ok.example');
    expect(asked).toEqual(['10.0.0.1', '[fe80::1]', 'ok.example', 'cb.example']);
  });

  it('refuses a request that already passed a Knocker', () => {
    expect(() => parse({ 'Knocker-Host': 'h', 'X-Knocker': '1.0' })).toThrow(LoopDetectedError);
  });

  it('keeps custom knocker-* headers in config and forwards everything else', () => {
    const r = parse([
      'Knocker-Host', 'h', 'Knocker-Trace', 'abc', 'Host', 'knocker.local', 'Content-Length', '3', 'Connection', 'keep-alive, X-Hop',
      'X-Hop', 'dropped', 'Keep-Alive', 'timeout=5', 'Accept', 'a', 'accept', 'b', 'Content-Type', 'text/plain', 'Transfer-Encoding', 'chunked',
    ]);
    expect(r.config['knocker-trace']).toBe('abc');
    expect(r.headers).toEqual([['accept', 'a'], ['accept', 'b'], ['content-type', 'text/plain'], ['x-knocker', KNOCKER_VERSION]]);
  });

  it('never keeps the api key, in config or in the forwarded headers', () => {
    const r = parse(['Knocker-Host', 'h', 'Knocker-Api-Key', 'secret-key-0123456789', 'Knocker-Trace', 't']);
    expect(JSON.stringify(r)).not.toContain('secret-key');
    expect(r.config['knocker-trace']).toBe('t');
  });

  it("drops a client's x-knocker-id and x-knocker-attempt: Knocker sets them on each attempt", () => {
    const r = parse(['Knocker-Host', 'h', 'X-Knocker-Id', 'forged', 'X-Knocker-Attempt', '9', 'X-Other', 'kept']);
    expect(r.headers).toEqual([['x-other', 'kept'], ['x-knocker', KNOCKER_VERSION]]);
  });

  it("drops a client's x-knocker-origin: only Knocker's callbacks carry it", () => {
    const r = parse(['Knocker-Host', 'h', 'X-Knocker-Origin', 'knocker', 'x-knocker-origin', 'knocker', 'X-Other', 'kept']);
    expect(r.headers).toEqual([['x-other', 'kept'], ['x-knocker', KNOCKER_VERSION]]);
  });

  it.each(['cb-order-1', 'CB-x', 'cb-', 'ok-1', 'Ok-a/b', 'nightly@1700000000000', 'a@0', 'cb-nightly@1'])(
    'refuses %j as Knocker-Id: Knocker derives ids of that form',
    (id) => {
      for (const extra of [{}, { 'Knocker-Cron': '0 3 * * *' }] as Array<Record<string, string>>) {
        expect(errorsOf({ 'Knocker-Host': 'h', 'Knocker-Id': id, ...extra })).toEqual({ 'knocker-id': expect.stringMatching(/^is reserved: Knocker gives ids of the form /) });
      }
    },
  );

  it.each(['cbx', 'order-cb-1', 'okay-1', 'ok', 'bob@example', 'a@1b', 'x@', '1700000000000', 'a@b@c'])('accepts %j as Knocker-Id', (id) => {
    expect(parse({ 'Knocker-Host': 'h', 'Knocker-Id': id }).config.id).toBe(id);
  });

  it('takes the path of an absolute-form target and refuses other forms', () => {
    expect(parse({ 'Knocker-Host': 'h' }, 'http://knocker.local/x?y=1').url).toBe('https://h/x?y=1');
    expect(errorsOf({ 'Knocker-Host': 'h' }, '*')).toHaveProperty('path');
  });

  it('generates a 32-character hex id by default', () => {
    const r = parseKnockRequest({ method: 'GET', target: '/', rawHeaders: ['Knocker-Host', 'h'] }, limits);
    expect(r.config.id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('reads a delay into notBefore, and leaves a plain request without one', () => {
    const at = (headers: string[]) => parseKnockRequest({ method: 'POST', target: '/', rawHeaders: headers }, { ...limits, delayMax: 3600 }, () => 'g', () => 1_000_000);
    expect(at(['Knocker-Host', 'h'])).not.toHaveProperty('notBefore');
    const delayed = at(['Knocker-Host', 'h', 'Knocker-Delay', '1m30s']);
    expect(delayed.notBefore).toBe(1_090_000);
    expect(delayed.config).not.toHaveProperty('knocker-delay');
    expect(at(['Knocker-Host', 'h', 'Knocker-Delay', '5m', 'Knocker-Not-Before', '2000']).notBefore).toBe(2_000_000);
    expect(() => at(['Knocker-Host', 'h', 'Knocker-Delay', '2h'])).toThrow(/knocker-delay: must be at most 3600 seconds/);
  });

  it('reads Knocker-Cron into a schedule, alone', () => {
    const r = parse({ 'Knocker-Host': 'h', 'Knocker-Cron': 'CRON_TZ=Europe/Berlin */5 * * * *' });
    expect(r.cron).toEqual({ cron: 'CRON_TZ=Europe/Berlin */5 * * * *', pattern: '*/5 * * * *', timezone: 'Europe/Berlin' });
    expect(r.config).not.toHaveProperty('knocker-cron');
    expect(errorsOf({ 'Knocker-Host': 'h', 'Knocker-Cron': 'every day' })).toHaveProperty('knocker-cron');
    expect(errorsOf({ 'Knocker-Host': 'h', 'Knocker-Cron': '* * * * *', 'Knocker-Delay': '5' })['knocker-cron']).toMatch(/cannot be combined/);
    expect(errorsOf(['Knocker-Host', 'h', 'Knocker-Delay', '5', 'Knocker-Delay', '6'])['knocker-delay']).toBe('must be given once');
  });
});
