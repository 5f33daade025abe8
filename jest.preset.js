// Shared jest settings: TypeScript ESM compiled by SWC (fast, no type-check; `tsc` does that).
// Workspace packages resolve to their sources through the "@orderflow/source" export condition.
/**
 * @param {{ integration: boolean, services?: boolean }} options `services`: the tests need the
 *   platform's services running too (end-to-end suites), not only Kafka, the registry and Postgres.
 */
export function jestConfig({ integration, services = false }) {
  return {
    testEnvironment: 'node',
    testEnvironmentOptions: {
      customExportConditions: ['@orderflow/source', 'node', 'node-addons'],
    },
    extensionsToTreatAsEsm: ['.ts'],
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    transform: {
      '^.+\\.ts$': [
        '@swc/jest',
        {
          jsc: { parser: { syntax: 'typescript' }, target: 'es2023' },
          module: { type: 'es6' },
          sourceMaps: 'inline',
        },
      ],
    },
    testMatch: integration ? ['<rootDir>/**/*.int.test.ts'] : ['<rootDir>/**/*.test.ts'],
    testPathIgnorePatterns: integration
      ? ['/node_modules/', '/dist/']
      : ['/node_modules/', '/dist/', '\\.int\\.test\\.ts$'],
    ...(integration
      ? {
          globalSetup: '@orderflow/testkit/global-setup',
          globals: { orderflowServices: services },
          globalTeardown: '@orderflow/testkit/global-teardown',
          testTimeout: 120_000,
          // kafkajs 2.2.4 can reopen a consumer's heartbeat connection while disconnect() runs
          // (seen after a broker restart); that orphan socket would keep jest alive after
          // every test has finished and every client was closed.
          forceExit: true,
        }
      : {
          // turbo runs several packages' suites at once on a 2-core machine; tests that start a
          // local server (a fake registry, a stand-in service) need more than jest's 5 s there.
          testTimeout: 20_000,
        }),
  };
}
