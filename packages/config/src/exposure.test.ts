import { describe, expect, it } from '@jest/globals';
import { ConfigError, isLoopbackAddress, loadConfig } from './index.js';

const KEY = 'a-long-enough-key-0123';

describe('isLoopbackAddress', () => {
  it.each(['127.0.0.1', '127.8.9.10', '127.255.255.255', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST', ' 127.0.0.1 '])('%s is loopback', (a) => {
    expect(isLoopbackAddress(a)).toBe(true);
  });
  it.each(['0.0.0.0', '::', '10.0.0.5', '192.168.1.1', '128.0.0.1', '126.255.255.255', '::2', '::ffff:10.0.0.1', 'my-host', 'localhost.example', '127.0.0.1.example', ''])('%s is not', (a) => {
    expect(isLoopbackAddress(a)).toBe(false);
  });
});

describe('BLOCK_PRIVATE_NETWORKS', () => {
  const binds = ['0.0.0.0', '::', '10.0.0.5', 'my-host', '127.0.0.1', '127.0.0.2', '::1', 'localhost', undefined];
  const settings = [undefined, '', 'auto', 'AUTO', 'true', 'yes', '1', 'false', 'off', '0'];
  const keys = [undefined, KEY];
  const cases = settings.flatMap((setting) => binds.flatMap((bind) => keys.map((key) => [setting, bind, key] as const)));

  it.each(cases)('BLOCK_PRIVATE_NETWORKS=%j, BIND_ADDRESS=%j, KNOCKER_API_KEYS=%j', (setting, bind, key) => {
    const env: Record<string, string> = {};
    if (setting !== undefined) env['BLOCK_PRIVATE_NETWORKS'] = setting;
    if (bind !== undefined) env['BIND_ADDRESS'] = bind;
    if (key !== undefined) env['KNOCKER_API_KEYS'] = key;
    const c = loadConfig(env);
    const mode = setting === undefined || setting === '' ? 'auto' : ['true', 'yes', '1'].includes(setting) ? 'true' : ['false', 'off', '0'].includes(setting) ? 'false' : 'auto';
    const local = bind !== undefined && ['127.0.0.1', '127.0.0.2', '::1', 'localhost'].includes(bind);
    const blocked = mode === 'true' || (mode === 'auto' && !local && key === undefined);
    expect(c.network.blockPrivateNetworks).toBe(blocked);
    expect(c.network.privateNetworks).toMatchObject({ blocked, setting: mode, exposed: mode === 'false' && !local && key === undefined });
    expect(c.network.privateNetworks.notice).toMatch(new RegExp(`^Private networks: ${blocked ? 'blocked' : 'allowed'} \\(.*BLOCK_PRIVATE_NETWORKS=${mode}`));
  });

  it('says why in one line, and how to change it', () => {
    const notice = (env: Record<string, string>) => loadConfig(env).network.privateNetworks.notice;
    expect(notice({})).toBe('Private networks: blocked (BIND_ADDRESS=0.0.0.0, reachable from other machines, and no KNOCKER_API_KEYS; BLOCK_PRIVATE_NETWORKS=auto). Set KNOCKER_API_KEYS, or BLOCK_PRIVATE_NETWORKS=false to allow them.');
    expect(notice({ BIND_ADDRESS: '127.0.0.1' })).toBe('Private networks: allowed (BIND_ADDRESS=127.0.0.1, this machine only; BLOCK_PRIVATE_NETWORKS=auto). Set BLOCK_PRIVATE_NETWORKS=true to refuse them.');
    expect(notice({ KNOCKER_API_KEYS: KEY })).toBe('Private networks: allowed (relaying needs one of KNOCKER_API_KEYS; BLOCK_PRIVATE_NETWORKS=auto). Set BLOCK_PRIVATE_NETWORKS=true to refuse them.');
    expect(notice({ BLOCK_PRIVATE_NETWORKS: 'true', BIND_ADDRESS: '::1' })).toMatch(/^Private networks: blocked \(BLOCK_PRIVATE_NETWORKS=true\)\. .*ALLOWED_NETWORKS/);
    expect(notice({ BLOCK_PRIVATE_NETWORKS: 'false' })).toMatch(/^Private networks: allowed \(BLOCK_PRIVATE_NETWORKS=false\), although with BIND_ADDRESS=0\.0\.0\.0 and no KNOCKER_API_KEYS/);
    expect(notice({ BLOCK_PRIVATE_NETWORKS: 'false', KNOCKER_API_KEYS: KEY })).toBe('Private networks: allowed (BLOCK_PRIVATE_NETWORKS=false).');
    // One line, and never the words of the api's "listening on" line, which says it is ready.
    for (const env of [{}, { BLOCK_PRIVATE_NETWORKS: 'false' }, { KNOCKER_API_KEYS: KEY }, { BIND_ADDRESS: '::1' }] as Array<Record<string, string>>) {
      expect(notice(env)).not.toMatch(/\n|listening on/);
    }
  });

  it('never repeats an api key in its line', () => {
    expect(loadConfig({ KNOCKER_API_KEYS: KEY }).network.privateNetworks.notice).not.toContain(KEY);
  });

  it('refuses other values, naming the variable', () => {
    expect(() => loadConfig({ BLOCK_PRIVATE_NETWORKS: 'maybe' })).toThrow(ConfigError);
    expect(() => loadConfig({ BLOCK_PRIVATE_NETWORKS: 'maybe' })).toThrow(/BLOCK_PRIVATE_NETWORKS: expected true, false or auto/);
  });
});
