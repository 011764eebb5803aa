import { afterAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// Runs the built package in a fresh node, with a module hook that prints every module loaded,
// so the test sees what loadEgress brought in for a given environment.
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const config = fileURLToPath(new URL('../../config/dist/index.js', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'egress-unused-'));
const hooks = path.join(dir, 'hooks.mjs');
writeFileSync(hooks, "export async function load(url, context, next) { console.log('LOADED ' + url); return next(url, context); }\n");
const secret = path.join(dir, 'secret');
writeFileSync(secret, 'not-a-real-secret\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function loadedWith(env: Record<string, string>): string[] {
  const script = `
    import { register } from 'node:module';
    import { pathToFileURL } from 'node:url';
    register(pathToFileURL(${JSON.stringify(hooks)}));
    const { readEgressSettings } = await import(${JSON.stringify(pathToFileURL(config).href)});
    const { loadEgress } = await import(${JSON.stringify(pathToFileURL(dist).href)});
    const { settings } = readEgressSettings(${JSON.stringify(env)});
    const egress = await loadEgress(settings, { network: { blockPrivateNetworks: false, allowedNetworks: [] }, logger: { info() {}, warning() {}, error() {} }, env: {} });
    console.log('EGRESS ' + (egress === undefined ? 'none' : 'built'));
    egress?.close();
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
  return out.split('\n').filter((l) => l.startsWith('LOADED ') || l.startsWith('EGRESS ')).map((l) => l.replace(/^LOADED .*\/(egress\/dist|node_modules\/\.pnpm\/[^/]+\/node_modules)\//, ''));
}

describe('with none of the variables set', () => {
  it('builds nothing and loads neither the proxy library nor the token client', () => {
    const loaded = loadedWith({});
    expect(loaded).toContain('EGRESS none');
    expect(loaded).toContain('index.js');
    expect(loaded.filter((m) => /hpagent|token\.js|router\.js|egress\.js/.test(m))).toEqual([]);
  });

  it('loads the proxy library only for EGRESS_PROXY, and the token client only for an oauth2 entry', () => {
    const proxied = loadedWith({ EGRESS_PROXY: 'http://127.0.0.1:3128' });
    expect(proxied).toContain('EGRESS built');
    expect(proxied.some((m) => m.startsWith('hpagent/'))).toBe(true);
    expect(proxied).not.toContain('token.js');
    const tokens = loadedWith({ TARGET_AUTH: `a.example:443 oauth2 token_url=http://127.0.0.1:1/t client_id=k client_secret_file=${secret}` });
    expect(tokens).toContain('token.js');
    expect(tokens.some((m) => m.startsWith('hpagent/'))).toBe(false);
  });
});
