// pnpm test:chaos: fault scenarios (killed workers, api and Redis, a paused Redis, a flapping
// target) under a bounded load, each printing its counts. Separate from `pnpm test` because
// they are CPU-heavy and slower; .ci/run runs both. They run one at a time.
import base from './jest.config.js';

export default {
  testTimeout: 240_000,
  projects: base.projects
    .filter((p) => p.displayName.startsWith('apps/'))
    .map((p) => ({ ...p, testMatch: ['<rootDir>/chaos/**/*.chaos.ts'] })),
};
