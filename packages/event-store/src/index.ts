export * from './append.js';
export * from './errors.js';
export * from './migrations.js';
export * from './read.js';
export * from './store.js';
export * from './types.js';
