// Sentinel support costs nothing unless configured: with REDIS_URL, the api never loads the
// sentinel entry point of @knocker/queue; with REDIS_SENTINELS it does (so the check can fail).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, it } from '@jest/globals';
import { entry, freePort, sharedRedisUrl, startProcess, uniquePrefix } from '@knocker/test-kit';

const dir = mkdtempSync(path.join(tmpdir(), 'sentinel-unused-'));
const hooks = path.join(dir, 'hooks.mjs');
writeFileSync(hooks, "export async function load(url, context, next) { if (url.includes('/queue/dist/')) console.log('LOADED ' + url); return next(url, context); }\n");
const registrar = path.join(dir, 'register.mjs');
writeFileSync(registrar, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const env = async (redis: Record<string, string>) => ({
  ...process.env, PORT: String(await freePort()), BIND_ADDRESS: '127.0.0.1', QUEUE_PREFIX: uniquePrefix('sentinel-unused'), HEALTHCHECK_INTERVAL: '0', ...redis,
});
const nodeArgs = ['--import', pathToFileURL(registrar).href];
const loaded = (output: string) => [...output.matchAll(/^LOADED .*\/queue\/dist\/(\S+)$/gm)].map((m) => m[1] as string);

it('loads the sentinel entry point only when REDIS_SENTINELS is set', async () => {
  const api = await startProcess({ name: 'api', entry: entry('api'), nodeArgs, env: await env({ REDIS_URL: sharedRedisUrl() }), ready: /listening on/ });
  await api.kill('SIGKILL');
  expect(loaded(api.output())).toContain('index.js');
  expect(loaded(api.output()).filter((m) => m.startsWith('sentinel/'))).toEqual([]);
  // Sentinels where nothing listens: the api loads the probe, which refuses them (exit 78).
  const refused = spawnSync(process.execPath, [...nodeArgs, entry('api')], {
    env: await env({ REDIS_SENTINELS: `127.0.0.1:${await freePort()}`, REDIS_SENTINEL_NAME: 'main' }), encoding: 'utf8', timeout: 30_000,
  });
  expect(refused.status).toBe(78);
  expect(loaded(refused.stdout + refused.stderr)).toContain('sentinel/probe.js');
}, 60_000);
