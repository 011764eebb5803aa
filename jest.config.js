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
    // From the project's directory back to the root: `deploy` is one level down, the others two.
    '^@knocker/([a-z-]+)$': `<rootDir>/${dir.replace(/[^/]+/g, '..')}/packages/$1/src/index.ts`,
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/lib/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  // Jest 30 wraps what a test file left on the global object before the next file runs; a
  // worker that runs many files after @sentry/node's global carrier was set then overflows
  // the stack in those wrappers. Each file gets a fresh global anyway.
  testEnvironmentOptions: { globalsCleanup: 'off' },
});

export default {
  // Integration tests start the apps as child processes; on a busy 2-core machine one start
  // alone can take several seconds, which jest's 5 s default does not allow for.
  testTimeout: 30_000,
  projects: [
    'packages/config', 'packages/egress', 'packages/contract', 'packages/keys', 'packages/netguard', 'packages/protocol', 'packages/queue', 'packages/telemetry', 'packages/test-kit',
    'packages/qstash', 'packages/metrics', 'packages/tracing', 'packages/health', 'packages/flow', 'packages/openapi', 'packages/client', 'apps/api', 'apps/worker', 'deploy', 'scripts',
  ].map(project),
};
