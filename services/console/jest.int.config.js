import { jestConfig } from '../../jest.preset.js';

// The console reads the running services: the global setup makes sure they run. One file at a
// time, like tests/: the browser suite places orders on the shared stack.
export default { ...jestConfig({ integration: true, services: true }), maxWorkers: 1 };
