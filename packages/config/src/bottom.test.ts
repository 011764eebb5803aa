import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';

// The configuration sits below every other package: loading it must not load a queue, a
// metrics registry or anything else of ours, so any package may read it.
const dir = fileURLToPath(new URL('../', import.meta.url));
const sources = readdirSync(`${dir}src`).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
const specifiers = (file: string) => [...readFileSync(`${dir}src/${file}`, 'utf8').matchAll(/^(?:import|export)\s(?:type\s)?(?:[\w*{}\s,]+\sfrom\s)?'([^']+)'/gm)].map((m) => m[1] as string);

describe('@knocker/config', () => {
  it('depends on no package of ours', () => {
    const pkg = JSON.parse(readFileSync(`${dir}package.json`, 'utf8')) as Record<string, Record<string, string> | undefined>;
    const deps = [pkg['dependencies'], pkg['devDependencies'], pkg['peerDependencies']].flatMap((d) => Object.keys(d ?? {}));
    expect(deps.filter((d) => d.startsWith('@knocker/'))).toEqual([]);
  });

  it('imports only its own modules, Node and its two parsers', () => {
    const foreign = sources.flatMap((f) => specifiers(f).filter((s) => !s.startsWith('./') && !s.startsWith('node:') && s !== 'zod' && s !== 'ipaddr.js').map((s) => `${f}: ${s}`));
    expect(foreign).toEqual([]);
  });

  // The built package, as the apps load it: every module it resolves is reported by a hook.
  it('loads neither bullmq nor prom-client', async () => {
    const entry = `${dir}dist/index.js`;
    if (!existsSync(entry)) throw new Error('packages/config is not built: run the build first');
    const hook = `let port; export function initialize(d) { port = d.port; }
export async function resolve(s, c, next) { const r = await next(s, c); port.postMessage(r.url); return r; }`;
    const script = `import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
const { port1, port2 } = new MessageChannel();
const seen = [];
port1.on('message', (url) => seen.push(url));
register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}), { data: { port: port2 }, transferList: [port2] });
const config = await import(${JSON.stringify(entry)});
config.loadConfig({});
setTimeout(() => { port1.close(); process.stdout.write(JSON.stringify(seen)); }, 200);`;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--input-type=module', '-e', script], (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
    const loaded = JSON.parse(out) as string[];
    expect(loaded.some((url) => url.includes('zod'))).toBe(true);
    expect(loaded.filter((url) => /bullmq|prom-client|ioredis|\/packages\/(?!config\/)/.test(url))).toEqual([]);
  });
});
