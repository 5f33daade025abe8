import { jestConfig } from '../../jest.preset.js';

// The follow tests run a stand-in order-service on a real socket and wait out reconnect delays:
// give them room on a loaded machine (no assertion depends on elapsed time).
export default { ...jestConfig({ integration: false }), testTimeout: 20_000 };
