// The map stays true: every package is in the README's layout and in docs/architecture.md,
// every chaos scenario has its row in docs/reliability.md, every Redis key the key module
// names is listed in docs/architecture.md, and docs/README.md indexes every page.
import { readdirSync, statSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { REDIS_KEYS } from '../../packages/keys/src/keys.js';
import { read, root } from './repo.js';

const dirsUnder = (top: string) => readdirSync(`${root}${top}`)
  .filter((d) => statSync(`${root}${top}/${d}`).isDirectory() && readdirSync(`${root}${top}/${d}`).includes('package.json'))
  .map((d) => `${top}/${d}`);
const packages = [...dirsUnder('apps'), ...dirsUnder('packages')];

describe('the map of the repository', () => {
  it('names every package in the README project layout', () => {
    const readme = read('README.md');
    const layout = readme.slice(readme.indexOf('## Project layout'));
    const block = layout.slice(layout.indexOf('```'), layout.indexOf('```', layout.indexOf('```') + 3));
    const named = [...block.matchAll(/^(\S+)/gm)].map((m) => m[1]);
    expect(packages.filter((p) => !named.includes(p))).toEqual([]);
  });

  it('names every package in docs/architecture.md', () => {
    const architecture = read('docs/architecture.md');
    expect(packages.filter((p) => !architecture.includes(`\`${p}\``))).toEqual([]);
  });

  it('has a row in docs/reliability.md for every chaos scenario', () => {
    const scenarios = ['apps/api', 'apps/worker'].flatMap((app) => readdirSync(`${root}${app}/chaos`).filter((f) => f.endsWith('.chaos.ts')));
    const rows = read('docs/reliability.md').split('\n').filter((l) => l.startsWith('|'));
    expect(scenarios.length).toBeGreaterThan(0);
    expect(scenarios.filter((s) => !rows.some((r) => r.includes(`\`${s}\``)))).toEqual([]);
  });

  it('lists in docs/architecture.md every Redis key the key module names', () => {
    const architecture = read('docs/architecture.md');
    const section = architecture.slice(architecture.indexOf('## Redis keys'), architecture.indexOf('## Where things live'));
    expect(REDIS_KEYS.map((k) => k.key).filter((key) => !section.includes(`| \`${key}\` |`))).toEqual([]);
    // And nothing more: a key listed there that the module no longer names is a stale line.
    const listed = [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
    expect(listed.sort()).toEqual(REDIS_KEYS.map((k) => k.key).sort());
  });

  it('indexes every page of docs/ in docs/README.md, once', () => {
    const pages = readdirSync(`${root}docs`).filter((f) => f.endsWith('.md') && f !== 'README.md');
    const links = [...read('docs/README.md').matchAll(/\]\(([a-z-]+\.md)\)/g)].map((m) => m[1]);
    expect(links.sort()).toEqual(pages.sort());
  });
});
