import { describe, expect, it } from '@jest/globals';
import { GROUP_COPY_MARK, groupCopyId } from '@knocker/keys';
import {
  checkEndpointName, checkGroupName, checkRequestId, endpointUrl, groupCopies, InvalidRequestError, joinTarget, parseEndpointUrl, parseKnockRequest,
  reservedIdProblem, splitCopyId, type ProtocolLimits,
} from './index.js';
import { COPY_MARK } from './group.js';

const open = { hostsOnly: [] as string[] };
const limits: ProtocolLimits = { scheme: 'https', timeout: 10, timeoutMax: 60, retries: 2, retriesMax: 10, backoffFactor: 0.5, backoffFactorMax: 600, hostsOnly: [] };
const target = (raw: string) => {
  const t = parseEndpointUrl(raw, open);
  if (typeof t === 'string') throw new Error(t);
  return t;
};

describe('group and endpoint names', () => {
  it('take 1 to 64 (groups) and 1 to 32 (endpoints) characters of a safe alphabet', () => {
    expect(checkGroupName('orders.v2_eu-1')).toBeUndefined();
    expect(checkGroupName('a'.repeat(64))).toBeUndefined();
    for (const bad of ['', 'a'.repeat(65), '-a', 'a b', 'a/b', 'a~b', 'é', 'a:b']) expect(checkGroupName(bad)).toMatch(/1 to 64/);
    expect(checkEndpointName('billing-eu')).toBeUndefined();
    for (const bad of ['', 'a'.repeat(33), 'a~b', '.a', 'a/b']) expect(checkEndpointName(bad)).toMatch(/1 to 32/);
  });
});

describe('endpoint urls', () => {
  it('keep the origin and a path prefix, normalized', () => {
    expect(target('https://A.example')).toEqual({ scheme: 'https', host: 'a.example', prefix: '' });
    expect(target('http://10.0.0.5:8080/hooks/')).toEqual({ scheme: 'http', host: '10.0.0.5:8080', prefix: '/hooks' });
    expect(endpointUrl(target('http://a.example:80/x//'))).toBe('http://a.example/x');
    expect(endpointUrl(target('http://[::1]:9000/p'))).toBe('http://[::1]:9000/p');
  });

  it('refuse query, fragment, credentials, other schemes and overlong urls, naming why', () => {
    expect(parseEndpointUrl('https://a.example/x?y=1', open)).toMatch(/without query/);
    expect(parseEndpointUrl('https://a.example/#f', open)).toMatch(/without query or fragment/);
    expect(parseEndpointUrl('https://u:p@a.example', open)).toMatch(/credentials/);
    expect(parseEndpointUrl('ftp://a.example', open)).toMatch(/http/);
    expect(parseEndpointUrl('a.example', open)).toMatch(/absolute/);
    expect(parseEndpointUrl(`https://a.example/${'x'.repeat(600)}`, open)).toMatch(/at most 512/);
  });

  it('pass the checks of Knocker-Host: HOSTS_ONLY and the address policy', () => {
    const rules = { hostsOnly: ['a.example', 'b.example:8080'], refuseAddress: (h: string) => (h === '10.0.0.1' ? 'a private address' : undefined) };
    expect(typeof parseEndpointUrl('https://a.example/x', rules)).toBe('object');
    expect(typeof parseEndpointUrl('http://b.example:8080', rules)).toBe('object');
    expect(parseEndpointUrl('http://b.example:9090', rules)).toMatch(/HOSTS_ONLY/);
    expect(parseEndpointUrl('http://10.0.0.1', { hostsOnly: [], refuseAddress: rules.refuseAddress })).toMatch(/private address/);
  });
});

describe('joinTarget', () => {
  it('joins origin, prefix, then the request path and query', () => {
    expect(joinTarget(target('http://a.example/hooks'), '/orders?x=1&y')).toBe('http://a.example/hooks/orders?x=1&y');
    expect(joinTarget(target('http://a.example'), '/orders?x=1')).toBe('http://a.example/orders?x=1');
    expect(joinTarget(target('http://a.example/hooks'), '/')).toBe('http://a.example/hooks/');
    expect(joinTarget(target('http://a.example/hooks'), '/?q')).toBe('http://a.example/hooks/?q');
  });
});

describe('copy ids', () => {
  it('are built by the key module with the mark the protocol reserves', () => {
    expect(COPY_MARK).toBe(GROUP_COPY_MARK);
    const id = groupCopyId('order-42', 'billing');
    expect(id).toBe('order-42~~billing');
    expect(splitCopyId(id)).toEqual({ id: 'order-42', endpoint: 'billing' });
    expect(splitCopyId('order-42')).toBeUndefined();
  });

  it('can be looked up by the routes but never chosen as a Knocker-Id', () => {
    expect(checkRequestId(groupCopyId('a'.repeat(128), 'e'.repeat(32)))).toBeUndefined();
    expect(checkRequestId(groupCopyId('a'.repeat(129), 'e'))).toBeDefined();
    expect(reservedIdProblem('order~~billing')).toMatch(/copies of group requests/);
    expect(() => parseKnockRequest({ method: 'POST', target: '/', rawHeaders: ['Knocker-Host', 'a.example', 'Knocker-Id', 'x~~y'] }, limits)).toThrow(InvalidRequestError);
  });
});

describe('Knocker-Group', () => {
  const parse = (headers: string[], path = '/orders?x=1') => parseKnockRequest({ method: 'POST', target: path, rawHeaders: headers }, limits, () => 'gen');
  const errorsOf = (headers: string[]) => {
    try {
      parse(headers);
    } catch (err) {
      if (err instanceof InvalidRequestError) return err.errors;
    }
    throw new Error('expected a refusal');
  };

  it('stands in for Knocker-Host and leaves the target to the copies', () => {
    const knock = parse(['Knocker-Group', 'orders', 'Knocker-Retries', '1']);
    expect(knock.group).toBe('orders');
    expect(knock.url).toBe('/orders?x=1');
    const copies = groupCopies({ ...knock, group: 'orders' }, [{ name: 'a', url: 'https://a.example' }, { name: 'b', url: 'http://b.example:81/in' }], open);
    expect(copies.map((c) => [c.config.id, c.config.host, c.config.scheme, c.url, c.config.retries])).toEqual([
      ['gen~~a', 'a.example', 'https', 'https://a.example/orders?x=1', 1],
      ['gen~~b', 'b.example:81', 'http', 'http://b.example:81/in/orders?x=1', 1],
    ]);
  });

  it('is refused with Knocker-Host, Knocker-Scheme or Knocker-Cron, or a bad name', () => {
    expect(errorsOf(['Knocker-Group', 'g', 'Knocker-Host', 'a.example'])).toHaveProperty('knocker-group');
    expect(errorsOf(['Knocker-Group', 'g', 'Knocker-Scheme', 'http'])).toHaveProperty('knocker-scheme');
    expect(errorsOf(['Knocker-Group', 'g', 'Knocker-Cron', '* * * * *'])).toHaveProperty('knocker-cron');
    expect(errorsOf(['Knocker-Group', ''])).toHaveProperty('knocker-group');
    expect(errorsOf(['Knocker-Group', 'a/b'])).toHaveProperty('knocker-group');
  });

  it('names an endpoint that the rules refuse now', () => {
    const knock = { ...parse(['Knocker-Group', 'g']), group: 'g' };
    expect(() => groupCopies(knock, [{ name: 'x', url: 'https://x.example' }], { hostsOnly: ['a.example'] })).toThrow(/endpoint "x" of group "g"/);
  });
});
