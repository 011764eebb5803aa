// The Dockerfile, checked without a Docker engine: an offline linter, its structure, the
// production dependencies it installs, and its HEALTHCHECK script against the real apps.
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { sharedRedisUrl, startApi, startWorker, stopAll, uniquePrefix, type KnockerProcess } from '@knocker/test-kit';
import { NODE_FLAGS } from '../../scripts/lib/node-flags.mjs';
import { read, readJson, root, run } from './repo.js';

interface Instruction {
  keyword: string;
  args: string;
}
interface Stage {
  image: string;
  name: string | undefined;
  instructions: Instruction[];
}

/** Stages of a Dockerfile: continuation lines joined, comments dropped. */
function stages(text: string): Stage[] {
  const logical = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const result: Stage[] = [];
  for (const line of logical) {
    const [, keyword = '', args = ''] = line.match(/^(\S+)\s*(.*)$/) ?? [];
    if (keyword.toUpperCase() === 'FROM') {
      const [, image = '', name] = args.match(/^(\S+)(?:\s+AS\s+(\S+))?$/i) ?? [];
      result.push({ image, name, instructions: [] });
    } else {
      result.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return result;
}

const dockerfile = stages(read('Dockerfile'));
const stage = (name: string): Stage => {
  const s = dockerfile.find((x) => x.name === name);
  if (!s) throw new Error(`Dockerfile has no stage ${name}`);
  return s;
};
const args = (s: Stage, keyword: string): string[] => s.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);
const allRuns = dockerfile.flatMap((s) => args(s, 'RUN')).join('\n');

describe('Dockerfile', () => {
  it('passes dockerfile-utils lint with no error and no warning', async () => {
    const bin = join(createRequire(import.meta.url).resolve('dockerfile-utils/package.json'), '..', 'bin', 'dockerfile-utils');
    const lint = await run(process.execPath, [bin, 'lint', '--json', 'Dockerfile']);
    expect({ status: lint.status, diagnostics: JSON.parse(lint.stdout || 'null') }).toEqual({ status: 0, diagnostics: [] });
  });

  it('installs the pinned pnpm and turbo, from the pruned lockfile', () => {
    const pkg = readJson('package.json');
    expect(allRuns).toContain(`npm install --global pnpm@${(pkg.packageManager as string).replace(/^pnpm@/, '')}`);
    expect(allRuns).toContain(`npm install --global turbo@${pkg.devDependencies.turbo}`);
    expect(args(stage('prune'), 'RUN').join('\n')).toMatch(/turbo prune @knocker\/api @knocker\/worker --docker/);
    expect(args(stage('deps'), 'RUN')).toContain('pnpm install --frozen-lockfile');
    expect(args(stage('prod-deps'), 'RUN')).toContain('pnpm install --frozen-lockfile --prod');
    // The dependency layers see only the pruned manifests, so source edits keep them cached.
    for (const s of [stage('deps'), stage('prod-deps')]) expect(args(s, 'COPY')).toEqual(['--from=prune /pruned/json/ ./']);
    expect(args(stage('build'), 'RUN').join('\n')).toContain('pnpm exec turbo run build --filter=@knocker/api --filter=@knocker/worker');
  });

  it.each([
    ['api', '8000'],
    ['worker', '8001'],
  ])('builds the %s target: a supported Node line, slim, non-root, node itself as PID 1, a health check', (app, port) => {
    const runtime = stage('runtime');
    // Node 20 reached its end of life in April 2026: the images build and run on 24.
    expect(runtime.image).toBe('node:24-bookworm-slim');
    expect(stage('base').image).toBe(runtime.image);
    expect(args(runtime, 'USER')).toEqual(['node']);
    const target = stage(app);
    expect(target.image).toBe('runtime');
    // Exec form: SIGTERM reaches node, with no shell or package manager in between; the flags
    // pnpm start and the bench run the apps with.
    expect(args(target, 'CMD').map((c) => JSON.parse(c))).toEqual([['node', ...NODE_FLAGS, `apps/${app}/dist/main.js`]]);
    expect(args(target, 'EXPOSE')).toEqual([port]);
    const [check] = args(target, 'HEALTHCHECK');
    expect(check).toMatch(/--interval=\S+ .*CMD \[/);
    expect(JSON.parse((check as string).replace(/^.*?CMD /, ''))).toEqual(['node', 'healthcheck.mjs', app]);
  });

  it('runs what `pnpm start` and the integration tests run', () => {
    // Same entry points, so the tests exercise the processes the images run.
    for (const app of ['api', 'worker']) expect(read('scripts/start.mjs')).toContain(`apps/${app}/dist/main.js`);
    expect(read('packages/test-kit/src/knocker.ts')).toContain('apps/${app}/dist/main.js');
  });
});

/** Bare package names imported by the built JavaScript under dir. */
function importedPackages(dir: string): Set<string> {
  const names = new Set<string>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.js')) {
        const code = readFileSync(path, 'utf8');
        const specifiers = [...code.matchAll(/(?:^|[\n;])\s*(?:import|export)\s(?:[^'";]*?\sfrom\s*)?['"]([^'"]+)['"]/g), ...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)];
        for (const [, spec = ''] of specifiers) {
          if (spec.startsWith('.') || spec.startsWith('node:') || builtinModules.includes(spec)) continue;
          names.add(spec.split('/').slice(0, spec.startsWith('@') ? 2 : 1).join('/'));
        }
      }
    }
  };
  walk(dir);
  return names;
}

describe('production dependencies', () => {
  it('every package the built apps import is a dependency, so `pnpm install --prod` carries it', () => {
    const dirs: Record<string, string> = {};
    for (const group of ['apps', 'packages']) {
      for (const d of readdirSync(join(root, group))) dirs[readJson(`${group}/${d}/package.json`).name] = `${group}/${d}`;
    }
    const missing: string[] = [];
    const seen = new Set<string>();
    const visit = (name: string): void => {
      if (seen.has(name)) return;
      seen.add(name);
      const dir = dirs[name] as string;
      const deps: Record<string, string> = readJson(`${dir}/package.json`).dependencies ?? {};
      for (const imported of importedPackages(join(root, dir, 'dist'))) {
        if (!(imported in deps)) missing.push(`${name} imports ${imported}`);
      }
      for (const dep of Object.keys(deps)) if (dep in dirs) visit(dep);
    };
    visit('@knocker/api');
    visit('@knocker/worker');
    expect(seen.size).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });
});

describe('healthcheck.mjs', () => {
  const health = { HEALTH_PATH: '/status/health', HEALTH_API_KEY: 'k3y' };
  let api: KnockerProcess;
  let worker: KnockerProcess;
  beforeAll(async () => {
    const opts = { redisUrl: sharedRedisUrl(), prefix: uniquePrefix('healthcheck'), env: health };
    [api, worker] = await Promise.all([startApi(opts), startWorker(opts)]);
  });
  afterAll(() => stopAll([api, worker].filter(Boolean)));

  // Only the given variables, as in a container that sets nothing else.
  const check = (app: string, env: Record<string, string>) =>
    new Promise<{ status: number; stderr: string }>((resolve) => {
      execFile(process.execPath, ['deploy/docker/healthcheck.mjs', app], { cwd: root, env: { BIND_ADDRESS: '127.0.0.1', ...env } }, (err, _out, stderr) => {
        resolve({ status: err ? Number(err.code) : 0, stderr });
      });
    });

  it('passes against a live api and worker, reading the same variables they do', async () => {
    expect((await check('api', { ...health, PORT: String(api.port) })).status).toBe(0);
    expect((await check('worker', { ...health, METRICS_PORT: String(worker.port) })).status).toBe(0);
    expect((await check('api', { ...health, HEALTH_PATH: '/status/health/', PORT: String(api.port) })).status).toBe(0);
  });

  it('fails when the answer is not 200 or nothing answers', async () => {
    const unauthorized = await check('api', { ...health, HEALTH_API_KEY: 'wrong', PORT: String(api.port) });
    expect(unauthorized).toMatchObject({ status: 1, stderr: expect.stringContaining('answered 401') });
    // Elsewhere than HEALTH_PATH the api relays: no Knocker-Host, so 400.
    expect((await check('api', { ...health, HEALTH_PATH: '/hc', PORT: String(api.port) })).status).toBe(1);
    await worker.kill();
    const gone = await check('worker', { ...health, METRICS_PORT: String(worker.port) });
    expect(gone).toMatchObject({ status: 1, stderr: expect.stringContaining('ECONNREFUSED') });
    expect((await check('neither', {})).status).toBe(1);
  });
});
