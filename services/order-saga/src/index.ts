// Public surface of the order-saga service: its pure domain (the service itself is src/main.ts).
export * from './domain/index.js';
