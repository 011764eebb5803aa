// Where the time goes in a CPU profile written by `node --cpu-prof` (pnpm bench --profile puts
// them in bench/results/profiles/): self time by package and by function, busy time only.
//   node bench/profile.mjs FILE.cpuprofile [--top 25] [--from SECONDS] [--inclusive REGEXP]
// --from skips the first seconds (start-up: module loading); --inclusive lists the time spent
// in matching functions and everything they called.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, inclusive: { type: 'string' }, from: { type: 'string', default: '0' } } });
for (const file of positionals) summarize(file, Number(values.top), values.inclusive && new RegExp(values.inclusive), Number(values.from));

function summarize(file, top, inclusivePattern, fromSeconds) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map();
  const from = profile.startTime + fromSeconds * 1e6;
  let t = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    t += profile.timeDeltas[i] ?? 0;
    if (t < from) continue;
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
  const wall = profile.endTime - Math.max(profile.startTime, from);
  console.log(`\n${file}\n  ${(wall / 1e6).toFixed(1)} s profiled, busy ${(total / 1e6).toFixed(1)} s (${((100 * total) / wall).toFixed(0)}%), idle ${(idle / 1e6).toFixed(1)} s`);
  const show = (title, map, n) => {
    console.log(`  ${title}`);
    for (const [k, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`    ${((100 * us) / total).toFixed(1).padStart(5)}%  ${k}`);
  };
  show('self time by package (share of busy time)', byPackage, 20);
  show('self time by function', byFunction, top);
  if (inclusivePattern) show(`inclusive time of functions matching ${inclusivePattern}`, inclusive(profile, nodes, self, inclusivePattern), top);
}

/** Time spent in a function and everything it called; recursion is counted once. */
function inclusive(profile, nodes, self, pattern) {
  const totals = new Map();
  const open = new Map();
  const walk = (id) => {
    const node = nodes.get(id);
    const cf = node.callFrame;
    const key = `${cf.functionName || '(anonymous)'} ${shortUrl(cf.url)}:${cf.lineNumber + 1}`;
    const tracked = pattern.test(key);
    const outer = tracked && !open.get(key);
    if (tracked) open.set(key, (open.get(key) ?? 0) + 1);
    let t = cf.functionName === '(idle)' ? 0 : self.get(id) ?? 0;
    for (const c of node.children ?? []) t += walk(c);
    if (tracked) open.set(key, open.get(key) - 1);
    if (outer) totals.set(key, (totals.get(key) ?? 0) + t);
    return t;
  };
  walk(profile.nodes[0].id);
  return totals;
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
