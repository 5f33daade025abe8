// What services build on. Tooling lives behind its own entries: '@orderflow/messaging/admin'
// (topic creation), '/dlq' (reading and replaying dead letters), '/fault-injection'.
export { describeBroker, type BrokerInfo } from './admin.js';
export * from './backoff.js';
export * from './consumer.js';
export * from './contract.js';
export * from './db.js';
export * from './envelope.js';
export * from './external-call.js';
export * from './errors.js';
export * from './kafka.js';
export * from './kafka-security.js';
export * from './logger.js';
export * from './messaging.js';
export * from './outbox-relay.js';
export * from './pool.js';
export * from './publisher.js';
export * from './retry-headers.js';
export * from './serde.js';
export * from './storm-guard.js';
export * from './transaction.js';
