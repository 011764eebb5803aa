/**
 * The api's own paths must leave each other alone: express tries its routes in order, matches
 * them case-insensitively and with or without a trailing slash, and a mounted router takes
 * every path under its own. A path that falls under another route's is never reached (or, at
 * `/`, nothing is relayed any more), so such a configuration is refused at start.
 */
export interface OwnPaths {
  HEALTH_PATH: string;
  BOARD_PATH: string;
  STATUS_URL: string;
  RESERVED_PREFIX: string;
  metricsEnabled: boolean;
}

type Name = 'HEALTH_PATH' | 'BOARD_PATH' | 'STATUS_URL' | 'RESERVED_PREFIX' | '/metrics';
// Mounted routers take their whole subtree; the others are single routes.
const MOUNTED: ReadonlySet<Name> = new Set(['HEALTH_PATH', 'BOARD_PATH', 'RESERVED_PREFIX']);
const ORDER: readonly Name[] = ['HEALTH_PATH', 'BOARD_PATH', 'STATUS_URL', 'RESERVED_PREFIX', '/metrics'];

const normal = (path: string) => path.toLowerCase().replace(/\/+$/, '');
const within = (path: string, base: string) => path === base || path.startsWith(`${base}/`);

/** What is wrong, by variable; `given` names the variables set explicitly, which are blamed first. */
export function routeProblems(paths: OwnPaths, given: ReadonlySet<string>): Record<string, string> {
  const problems: Record<string, string> = {};
  const value = (n: Name) => (n === '/metrics' ? '/metrics' : paths[n]);
  for (const n of ['HEALTH_PATH', 'BOARD_PATH'] as const) {
    if (normal(paths[n]) === '') problems[n] = 'expected a path other than /: mounted there it would take every request, and nothing would be relayed';
  }
  const names = ORDER.filter((n) => n !== '/metrics' || paths.metricsEnabled);
  for (const [i, a] of names.entries()) {
    for (const b of names.slice(i + 1)) {
      if (!overlap(a, b, value)) continue;
      const blamed = b === '/metrics' || (given.has(a) && !given.has(b)) ? a : b;
      const other = blamed === a ? b : a;
      const what = other === '/metrics' ? "/metrics, where the api serves its metrics (METRICS_ENABLED)" : `${other} (${value(other)})`;
      // Every clash is named: fixing one at a time would take as many restarts.
      const clash = `expected a path apart from ${what}: one of the two would take the other's requests (paths match case-insensitively, with or without a trailing /)`;
      problems[blamed] = problems[blamed] === undefined ? clash : `${problems[blamed]}; and ${clash.replace(/^expected /, '')}`;
    }
  }
  return problems;
}

function overlap(a: Name, b: Name, value: (n: Name) => string): boolean {
  // The status page under RESERVED_PREFIX is one of Knocker's own routes there (the default).
  if ((a === 'STATUS_URL' && b === 'RESERVED_PREFIX') || (a === 'RESERVED_PREFIX' && b === 'STATUS_URL')) return false;
  const [pa, pb] = [normal(value(a)), normal(value(b))];
  // A router mounted at / is refused on its own; a single route at / takes nothing else.
  if (pa === '' || pb === '') return false;
  return (MOUNTED.has(b) && within(pa, pb)) || (MOUNTED.has(a) && within(pb, pa)) || pa === pb;
}
