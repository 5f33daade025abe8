import { jestConfig } from '../jest.preset.js';

// The fault-injection suite (pnpm test:chaos): its own stack instance, started and stopped by its
// global setup, never the shared one. Files run one at a time, in the order of their leading
// scenario number: they share that stack, and the DLQ-must-be-empty checks of scenarios 1 and 2
// come before scenario 3 fills the DLQ on purpose.
const base = jestConfig({ integration: true });
export default {
  ...base,
  testMatch: ['<rootDir>/chaos/**/*.chaos.test.ts'],
  globalSetup: '<rootDir>/chaos/global-setup.mjs',
  globalTeardown: '<rootDir>/chaos/global-teardown.mjs',
  testSequencer: '<rootDir>/chaos/scenario-sequencer.cjs',
  maxWorkers: 1,
  testTimeout: 60 * 60_000,
};
