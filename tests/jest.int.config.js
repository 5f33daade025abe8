import { jestConfig } from '../jest.preset.js';

// End-to-end: the global setup makes sure every service runs, not only the infrastructure.
export default jestConfig({ integration: true, services: true });
