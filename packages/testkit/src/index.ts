export { testEnvironment, type TestEnvironment } from './environment.js';
export { eventually } from './eventually.js';
