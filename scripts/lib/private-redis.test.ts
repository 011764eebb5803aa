import { describe, expect, it } from '@jest/globals';
import { confValue, redisConf } from './private-redis.mjs';

const conf = (url: string) => redisConf(new URL(url), '.data/redis').split('\n');

describe("the private Redis's configuration", () => {
  it('quotes every byte of a value that is not a letter or a digit, so nothing in it is read as syntax', () => {
    expect(confValue('ab1')).toBe('"ab1"');
    expect(confValue('a "b"\n#é')).toBe('"a\\x20\\x22b\\x22\\x0a\\x23\\xc3\\xa9"');
  });

  it('needs nothing without credentials, and the password of the default user with a password alone', () => {
    expect(conf('redis://127.0.0.1:6390').filter((l) => /requirepass|^user/.test(l))).toEqual([]);
    expect(conf('redis://:s%20cret@127.0.0.1:6390')).toContain('requirepass "s\\x20cret"');
    expect(conf('redis://default:x@127.0.0.1')).toContain('requirepass "x"');
  });

  it('gives a named user every right, and turns the default user off', () => {
    const lines = conf('redis://knocker:pw%23@127.0.0.1:6390');
    expect(lines).toContain('user "knocker" on "\\x3epw\\x23" "~*" "&*" "+@all"');
    expect(lines).toContain('user default off');
    expect(lines.join('\n')).not.toContain('requirepass');
    expect(conf('redis://knocker@127.0.0.1')).toContain('user "knocker" on nopass "~*" "&*" "+@all"');
  });

  it('listens on loopback at the port of the URL, with AOF on and no eviction', () => {
    expect(conf('redis://127.0.0.1:6390').slice(0, 7)).toEqual([
      'bind 127.0.0.1 -::1', 'port 6390', 'dir "\\x2edata\\x2fredis"', 'appendonly yes', 'appendfsync everysec', 'save ""', 'maxmemory-policy noeviction',
    ]);
    expect(conf('redis://127.0.0.1')).toContain('port 6379');
  });
});
