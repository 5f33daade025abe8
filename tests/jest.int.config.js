import { jestConfig } from '../jest.preset.js';

// End-to-end: the global setup makes sure every service runs, not only the infrastructure.
// One file at a time: the suites share the running stack's stock and partitions, so a
// stock-delta assertion or a deliberately slow payment in one file would race another's.
export default { ...jestConfig({ integration: true, services: true }), maxWorkers: 1 };
