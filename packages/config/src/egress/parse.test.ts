import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { inCidr, parseCidr, parseIp } from './ip.js';
import { bypassesProxy, parseNoProxy, type NoProxyList } from './no-proxy.js';
import { parseEgressProxy, type ProxySetting } from './proxy.js';
import { readEgressSettings } from './settings.js';
import { parseTargetAuth, type OAuth2Setting } from './target-auth.js';
import { parseTargetTls } from './target-tls.js';
import { parseTargetPattern, TargetTable } from './targets.js';

describe('IP literals and CIDRs', () => {
  it.each([
    ['127.0.0.1', [127, 0, 0, 1]],
    ['[::1]', [...new Array(15).fill(0), 1]],
    ['::ffff:10.1.2.3', [10, 1, 2, 3]],
    ['::ffff:a01:203', [10, 1, 2, 3]],
    ['2001:db8::8:800:200c:417a', [0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 8, 8, 0, 0x20, 0x0c, 0x41, 0x7a]],
  ])('reads %s', (text, bytes) => expect(parseIp(text)).toEqual(bytes));

  it.each(['1.2.3', '01.2.3.4', '256.1.1.1', '1:2:3:4:5:6:7:8:9', '1::2::3', 'example.com', '::g', '1:2:3:4:5:6:7::8', ''])('refuses %s', (text) => {
    expect(parseIp(text)).toBeUndefined();
  });

  it('matches ranges, IPv4-mapped ones as IPv4', () => {
    expect(inCidr(parseIp('10.200.3.4')!, parseCidr('10.0.0.0/8')!)).toBe(true);
    expect(inCidr(parseIp('11.0.0.1')!, parseCidr('10.0.0.0/8')!)).toBe(false);
    expect(inCidr(parseIp('192.168.1.130')!, parseCidr('192.168.1.128/25')!)).toBe(true);
    expect(inCidr(parseIp('192.168.1.127')!, parseCidr('192.168.1.128/25')!)).toBe(false);
    expect(inCidr(parseIp('10.0.0.1')!, parseCidr('::ffff:10.0.0.0/104')!)).toBe(true);
    expect(inCidr(parseIp('fd00::1')!, parseCidr('fc00::/7')!)).toBe(true);
    expect(inCidr(parseIp('10.0.0.1')!, parseCidr('fc00::/7')!)).toBe(false);
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0/x')).toBeUndefined();
  });
});

describe('target patterns', () => {
  it('reads host:port and *.suffix[:port], in lower case', () => {
    expect(parseTargetPattern('API.example.com:443')).toMatchObject({ kind: 'host', host: 'api.example.com', port: 443 });
    expect(parseTargetPattern('[::1]:8443')).toMatchObject({ kind: 'host', port: 8443 });
    expect(parseTargetPattern('*.corp.example')).toMatchObject({ kind: 'suffix', suffix: 'corp.example', port: undefined });
    expect(parseTargetPattern('*.corp.example:8443')).toMatchObject({ kind: 'suffix', port: 8443 });
  });

  it.each([
    ['api.example.com', /a host needs its port/],
    ['api.example.com:0', /from 1 to 65535/],
    ['api.example.com:99999', /from 1 to 65535/],
    ['*.10.0.0.1', /expected host:port/],
    ['*', /expected host:port/],
    ['a_b!:80', /expected host:port/],
  ])('refuses %s', (text, message) => expect(parseTargetPattern(text)).toMatch(message));

  it('finds the exact entry first, then the longest suffix, one with a port before one without', () => {
    const table = new TargetTable([
      [parseTargetPattern('*.example'), 'any'],
      [parseTargetPattern('*.corp.example'), 'corp'],
      [parseTargetPattern('*.corp.example:8443'), 'corp-8443'],
      [parseTargetPattern('api.corp.example:443'), 'api'],
      [parseTargetPattern('127.0.0.1:4000'), 'loopback'],
      [parseTargetPattern('[::1]:4000'), 'v6'],
    ].map(([p, v]) => [p as Exclude<ReturnType<typeof parseTargetPattern>, string>, v as string] as const));
    expect(table.find('api.corp.example', 443)).toBe('api');
    expect(table.find('API.corp.example.', 443)).toBe('api');
    expect(table.find('api.corp.example', 8443)).toBe('corp-8443');
    expect(table.find('x.corp.example', 80)).toBe('corp');
    expect(table.find('x.other.example', 80)).toBe('any');
    expect(table.find('corp.example', 443)).toBe('any');
    expect(table.find('example', 443)).toBeUndefined();
    expect(table.find('127.0.0.1', 4000)).toBe('loopback');
    expect(table.find('127.0.0.1', 4001)).toBeUndefined();
    expect(table.find('[0:0::1]', 4000)).toBe('v6');
  });
});

describe('EGRESS_PROXY', () => {
  it('reads the scheme, host, port and credentials, and shows it without them', () => {
    const proxy = parseEgressProxy('http://knocker:p%40ss@proxy.internal:3128') as ProxySetting;
    expect(proxy).toMatchObject({ protocol: 'http:', hostname: 'proxy.internal', port: 3128, username: 'knocker', password: 'p@ss', shown: 'http://proxy.internal:3128' });
    expect(parseEgressProxy('https://proxy.internal')).toMatchObject({ protocol: 'https:', port: 443 });
  });

  it.each([
    ['socks5://proxy:1080', /scheme "socks5:"/],
    ['proxy:3128', /scheme "proxy:"/],
    ['http://u:secret@proxy:3128/path', /path, query or fragment after http:\/\/proxy:3128/],
    ['http://u:secret@proxy:3128?x=1', /path, query or fragment/],
    ['http://u:%zz@proxy:3128', /not valid percent-encoding/],
    ['not a url', /not a URL/],
    [`http://proxy:3128/${'a'.repeat(3000)}`, /at most 2048 characters/],
  ])('refuses %s without showing its password', (raw, message) => {
    const problem = parseEgressProxy(raw);
    expect(problem).toMatch(message);
    expect(problem).not.toMatch(/secret|%zz/);
  });
});

describe('EGRESS_NO_PROXY', () => {
  const list = parseNoProxy('internal.example, .corp.example ,127.0.0.2, 10.0.0.0/8, [fd00::1], fc00::/7') as NoProxyList;

  it.each([
    ['internal.example', true], ['INTERNAL.example.', true], ['x.internal.example', false],
    ['a.corp.example', true], ['a.b.corp.example', true], ['corp.example', false],
    ['127.0.0.2', true], ['127.0.0.1', false], ['10.9.8.7', true], ['[fd00::1]', true], ['[fc01::5]', true], ['[::1]', false],
    ['api.example.com', false],
  ])('%s goes direct: %s', (host, direct) => expect(bypassesProxy(list, host)).toBe(direct));

  it('never reads an IP address as a name under a suffix', () => {
    expect(bypassesProxy(parseNoProxy('.0.1') as NoProxyList, '10.0.0.1')).toBe(false);
  });

  it.each([['a b'], ['10.0.0.0/40'], ['http://x']])('refuses %s', (raw) => {
    expect(typeof parseNoProxy(raw)).toBe('string');
  });

  it('refuses more than 256 entries', () => {
    expect(parseNoProxy(new Array(300).fill('a.example').join(','))).toMatch(/at most 256 entries/);
  });
});

describe('TARGET_TLS', () => {
  it('reads entries', () => {
    expect(parseTargetTls('api.example.com:443 ca=/certs/ca.pem cert=/certs/client.pem key=/certs/client.key passphrase_file=/run/secrets/pass; *.corp.example ca=/certs/corp.pem servername=Gateway.corp.example')).toEqual([
      { target: expect.objectContaining({ text: 'api.example.com:443' }), ca: '/certs/ca.pem', cert: '/certs/client.pem', key: '/certs/client.key', passphraseFile: '/run/secrets/pass' },
      { target: expect.objectContaining({ text: '*.corp.example' }), ca: '/certs/corp.pem', servername: 'gateway.corp.example' },
    ]);
  });

  it.each([
    ['a.example:443', /a\.example:443: expected ca=/],
    ['a.example:443 cert=/c.pem', /cert= and key= go together/],
    ['a.example:443 ca=/a ca=/b', /expected ca= once/],
    ['a.example:443 passphrase_file=/p', /passphrase_file= needs key=/],
    ['a.example:443 servername=10.0.0.1', /servername= must be a host name/],
    ['a.example:443 ca=', /ca= needs a file path/],
    ['a.example:443 ca=/a; A.example:443 ca=/b', /got A\.example:443 twice/],
    ['a.example:443 password=hunter2', /got "password"/],
  ])('refuses %s', (raw, message) => {
    const problem = parseTargetTls(raw);
    expect(problem).toMatch(message);
    expect(problem).not.toContain('hunter2');
  });
});

describe('TARGET_TLS bounds', () => {
  it('refuses more than 64 entries', () => {
    expect(parseTargetTls(Array.from({ length: 70 }, (_, i) => `a.example:${i + 1} ca=/a`).join(';'))).toMatch(/at most 64 entries/);
  });
});

describe('TARGET_AUTH', () => {
  it('reads oauth2 and bearer_file entries', () => {
    const [oauth, bearer] = parseTargetAuth(
      'api.example.com:443 oauth2 token_url=https://auth.example/token client_id=knocker client_secret_file=/run/secrets/auth scope=read,write audience=https://api.example.com auth=post; hooks.example:443 bearer_file=/run/secrets/hooks',
    ) as [OAuth2Setting, unknown];
    expect(oauth).toMatchObject({ kind: 'oauth2', tokenUrl: 'https://auth.example/token', clientId: 'knocker', clientSecretFile: '/run/secrets/auth', scope: 'read write', audience: 'https://api.example.com', auth: 'post' });
    expect(bearer).toMatchObject({ kind: 'bearer', bearerFile: '/run/secrets/hooks' });
    expect(parseTargetAuth('a.example:443 oauth2 token_url=http://auth/t client_id=k client_secret_file=/s resource=https://api/')).toMatchObject([{ auth: 'basic', resource: 'https://api/' }]);
  });

  const oauth = 'a.example:443 oauth2 token_url=https://auth.example/token client_id=k client_secret_file=/s';
  it.each([
    ['a.example:443', /expected oauth2 or bearer_file=FILE/],
    ['a.example:443 basic', /expected oauth2 or bearer_file=FILE/],
    ['a.example:443 bearer_file=/t extra=1', /nothing after bearer_file=/],
    ['a.example:443 oauth2 client_id=k client_secret_file=/s', /needs token_url=/],
    ['a.example:443 oauth2 token_url=ftp://x/t client_id=k client_secret_file=/s', /http or https URL/],
    ['a.example:443 oauth2 token_url=https://k:hunter2@auth/t client_id=k client_secret_file=/s', /must not carry credentials/],
    ['a.example:443 oauth2 token_url=https://auth/t client_secret_file=/s', /needs client_id=/],
    ['a.example:443 oauth2 token_url=https://auth/t client_id=k', /client_secret_file= needs a file path/],
    [`${oauth} client_secret=hunter2`, /got "client_secret"/],
    [`${oauth} auth=jwt`, /auth= must be basic or post/],
    [`${oauth} scope=a"b`, /scope= must be/],
    [`${oauth} scope=`, /scope= needs a value/],
  ])('refuses %s, never showing a secret', (raw, message) => {
    const problem = parseTargetAuth(raw);
    expect(problem).toMatch(message);
    expect(problem).not.toContain('hunter2');
  });
});

describe('the four variables together', () => {
  it('are undefined when none is set, or each is empty', () => {
    expect(readEgressSettings({})).toEqual({ settings: undefined });
    expect(readEgressSettings({ EGRESS_PROXY: ' ', TARGET_TLS: '' })).toEqual({ settings: undefined });
  });

  it('name each variable that is wrong', () => {
    expect(readEgressSettings({ EGRESS_PROXY: 'ftp://x', TARGET_AUTH: 'x', EGRESS_NO_PROXY: '.ok.example' }).problems).toEqual({
      EGRESS_PROXY: expect.stringMatching(/scheme/), TARGET_AUTH: expect.stringMatching(/host:port/),
    });
  });

  it('never throw, whatever they hold', () => {
    fc.assert(fc.property(fc.string({ maxLength: 400 }), fc.constantFrom('EGRESS_PROXY', 'EGRESS_NO_PROXY', 'TARGET_TLS', 'TARGET_AUTH'), (raw, name) => {
      const read = readEgressSettings({ [name]: raw });
      expect(read.settings !== undefined || read.problems !== undefined || raw.trim() === '').toBe(true);
    }), { numRuns: 2000 });
  });
});

describe('the parsers', () => {
  it('import nothing but each other, so the configuration package can take them as they are', () => {
    const here = new URL('.', import.meta.url);
    const sources = readdirSync(here).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
    const imports = sources.flatMap((f) => [...readFileSync(new URL(f, here), 'utf8').matchAll(/^(?:import\s+(?:[^'"\n]*?\s+from\s+)?|export\s[^'"\n]*?\sfrom\s+)'([^']+)'/gm)].map((m) => m[1]));
    expect(sources.length).toBeGreaterThan(5);
    expect(imports.filter((specifier) => !/^\.\/[a-z-]+\.js$/.test(specifier ?? ''))).toEqual([]);
  });
});
