export * from './avro-schema.js';
export * from './compatibility.js';
export * from './errors.js';
export * from './generated/index.js';
export * from './manifest.js';
export * from './naming.js';
export * from './services.js';
export * from './topics.js';
