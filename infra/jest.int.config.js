import { jestConfig } from '../jest.preset.js';

// The launcher's integration tests run the real Kafka tools (Java, Maven Central jars) but need
// no running stack, so they leave out testkit's global setup.
const { globalSetup, globalTeardown, globals, ...config } = jestConfig({ integration: true });
export default config;
