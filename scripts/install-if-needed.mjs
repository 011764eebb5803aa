// Installs the workspace when node_modules is missing or older than the lockfile,
// so `pnpm test` and `pnpm start` work on a fresh clone with no separate step.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';

const marker = 'node_modules/.modules.yaml';
const stale = !existsSync(marker) || statSync(marker).mtimeMs < statSync('pnpm-lock.yaml').mtimeMs;
if (stale) {
  const r = spawnSync('pnpm', ['install', '--frozen-lockfile'], { stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}
