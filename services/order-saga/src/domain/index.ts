// The order saga's pure domain: no I/O; the clock comes in as `now`, nothing needs ids.
export { decide, start } from './saga.js';
export { isSettled } from './queries.js';
export * from './types.js';
