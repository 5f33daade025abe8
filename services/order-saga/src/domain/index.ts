// The order saga's pure domain: no I/O; the clock comes in as `now`, nothing needs ids.
export { decide, start } from './saga.js';
export { isSettled, upcastState } from './queries.js';
export { stepTable, STEP_DEFINITIONS } from './steps.js';
export * from './types.js';
