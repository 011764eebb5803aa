// Where the time goes in a CPU profile written by `node --cpu-prof` (pnpm bench --profile puts
// them in bench/results/profiles/): self time by package and by function, busy time only.
//   node bench/profile.mjs FILE.cpuprofile [--top 25]
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
for (const file of positionals) summarize(file, Number(values.top));

function summarize(file, top) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i];
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  }
  const byPackage = new Map();
  const byFunction = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, us] of self) {
    const { callFrame } = nodes.get(id);
    if (callFrame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    total += us;
    const pkg = packageOf(callFrame);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + us);
    const fn = `${callFrame.functionName || '(anonymous)'} ${shortUrl(callFrame.url)}:${callFrame.lineNumber + 1}`;
    byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
  }
  const wall = profile.endTime - profile.startTime;
  console.log(`\n${file}\n  ${(wall / 1e6).toFixed(1)} s profiled, busy ${(total / 1e6).toFixed(1)} s (${((100 * total) / wall).toFixed(0)}%), idle ${(idle / 1e6).toFixed(1)} s`);
  const show = (title, map, n) => {
    console.log(`  ${title}`);
    for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`    ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
  };
  show('self time by package (share of busy time)', byPackage, 20);
  show('self time by function', byFunction, top);
}

function packageOf({ url, functionName }) {
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?!.*node_modules)/.exec(url);
  if (m) return m[1];
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] === 'internal' ? 'internal/' + url.slice(5).split('/')[1] : url.slice(5)}`;
  const app = /\/(apps|packages)\/([^/]+)\//.exec(url);
  if (app) return `knocker ${app[1]}/${app[2]}`;
  if (/\/bench\//.test(url)) return 'bench';
  return url;
}

function shortUrl(url) {
  if (!url) return '';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+\/(?!.*node_modules).*)$/.exec(url);
  if (m) return m[1];
  const app = /\/((?:apps|packages|bench)\/.*)$/.exec(url);
  return app ? app[1] : url.replace(/^file:\/\//, '');
}
