// The package map of docs/architecture.md, held to the code: each package imports only what its
// row allows and only packages of a lower layer; nothing imports an app; the protocol and the
// contract do no I/O.
import { readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { read, readJson, root } from './repo.js';

interface Row {
  dir: string;
  layer: number;
  allowed: 'any' | 'below' | string[];
}

// | 3 | `packages/flow` | what it holds | config, contract, keys |; the apps' layer is "apps".
function packageTable(): Row[] {
  const text = read('docs/architecture.md');
  const section = text.slice(text.indexOf('## Packages'), text.indexOf('## Redis keys'));
  return [...section.matchAll(/^\| (apps|\d+) \| `([^`]+)` \| [^|]+ \| ([^|]+) \|$/gm)].map((m) => {
    const imports = (m[3] as string).trim();
    return {
      dir: m[2] as string,
      layer: m[1] === 'apps' ? Infinity : Number(m[1]),
      allowed: imports === 'any package' ? 'any' : imports === 'below' ? 'below' : imports === 'none' ? [] : imports.split(', '),
    };
  });
}

const workspaceDirs = (): string[] => ['apps', 'packages'].flatMap((top) => readdirSync(`${root}${top}`).map((d) => `${top}/${d}`)
  .filter((d) => statSync(`${root}${d}`).isDirectory() && readdirSync(`${root}${d}`).includes('package.json')));

function sources(dir: string): string[] {
  const walk = (d: string): string[] => readdirSync(`${root}${d}`, { withFileTypes: true }).flatMap((e) => {
    if (e.isDirectory()) return walk(`${d}/${e.name}`);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [`${d}/${e.name}`] : [];
  });
  return walk(`${dir}/src`);
}

const imported = (file: string): string[] => [...read(file).matchAll(/(?:from|import\(?)\s*'([^']+)'/g)].map((m) => m[1] as string);
const ours = (specifiers: string[]) => [...new Set(specifiers.filter((s) => s.startsWith('@knocker/')).map((s) => s.slice('@knocker/'.length).split('/')[0] as string))];
const nameOf = (dir: string) => (readJson(`${dir}/package.json`) as { name: string }).name.slice('@knocker/'.length);

describe('the package map', () => {
  const table = packageTable();
  const byName = new Map(table.map((r) => [nameOf(r.dir), r]));

  it('has a row for every package and app', () => {
    expect(table.map((r) => r.dir).sort()).toEqual(workspaceDirs().sort());
  });

  it.each(workspaceDirs())('%s imports only what its row allows, from lower layers, and declares it', (dir) => {
    const row = table.find((r) => r.dir === dir);
    expect(row).toBeDefined();
    const pkg = readJson(`${dir}/package.json`) as { dependencies?: Record<string, string> };
    const declared = ours(Object.keys(pkg.dependencies ?? {}));
    const used = ours(sources(dir).flatMap(imported));
    expect(used.filter((u) => !declared.includes(u))).toEqual([]);
    const wrong = declared.filter((d) => {
      const other = byName.get(d);
      if (other === undefined || other.layer >= row!.layer) return true;
      return Array.isArray(row!.allowed) && !row!.allowed.includes(d);
    });
    expect(wrong).toEqual([]);
  });

  it('has nothing import an app, not even a test', () => {
    const apps = table.filter((r) => r.layer === Infinity).map((r) => nameOf(r.dir));
    for (const dir of workspaceDirs()) {
      const pkg = readJson(`${dir}/package.json`) as Record<string, Record<string, string> | undefined>;
      const all = ours([...Object.keys(pkg['dependencies'] ?? {}), ...Object.keys(pkg['devDependencies'] ?? {})]);
      expect([dir, all.filter((d) => apps.includes(d))]).toEqual([dir, []]);
    }
  });

  it('keeps the protocol and the contract free of I/O', () => {
    const io = /^(bullmq|ioredis|prom-client|express|winston|@sentry\/|node:(http|https|dns|fs|child_process|worker_threads))/;
    for (const dir of ['packages/protocol', 'packages/contract']) {
      const pkg = readJson(`${dir}/package.json`) as { dependencies?: Record<string, string> };
      const found = [...Object.keys(pkg.dependencies ?? {}), ...sources(dir).flatMap(imported)].filter((s) => io.test(s));
      // node:net for its address checks only, never a socket.
      const sockets = sources(dir).flatMap((f) => [...read(f).matchAll(/import \{([^}]*)\} from 'node:net'/g)].flatMap((m) => (m[1] as string).split(',').map((n) => n.trim())))
        .filter((n) => !/^(type )?(isIP|isIPv4|isIPv6|BlockList)$/.test(n));
      expect([dir, found, sockets]).toEqual([dir, [], []]);
    }
  });
});
