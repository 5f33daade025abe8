// Public surface of the order-saga service; today only its pure domain.
export * from './domain/index.js';
