export * from './services.js';
export * from './topics.js';
