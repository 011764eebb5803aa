// One jest run over every package and app, so `pnpm test` ends with one summary.
// Workspace imports resolve to sources, so unit tests need no build; integration
// tests that spawn the apps run their built output (`pnpm build` runs first).
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'es6' } }];

const project = (dir) => ({
  displayName: dir,
  rootDir: `<rootDir>/${dir}`,
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper: {
    '^@knocker/([a-z-]+)$': '<rootDir>/../../packages/$1/src/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  // Jest 30 wraps what a test file left on the global object before the next file runs; a
  // worker that runs many files after @sentry/node's global carrier was set then overflows
  // the stack in those wrappers. Each file gets a fresh global anyway.
  testEnvironmentOptions: { globalsCleanup: 'off' },
});

export default {
  // Integration tests start processes and Redis servers in their hooks; on a busy shared
  // machine that takes longer than jest's 5 s default (the kit's own ready timeout is 15 s),
  // and a hook that times out leaves the children it was still starting running.
  testTimeout: 30_000,
  projects: ['packages/config', 'packages/protocol', 'packages/queue', 'packages/telemetry', 'packages/test-kit', 'apps/api', 'apps/worker'].map(project),
};
