import type { createKafka } from '@orderflow/messaging';

/**
 * The kafkajs client types, reached through @orderflow/messaging (the one package that depends
 * on kafkajs): the bench builds its clients with messaging's createKafka.
 */
export type Kafka = ReturnType<typeof createKafka>;
export type Admin = ReturnType<Kafka['admin']>;
export type Consumer = ReturnType<Kafka['consumer']>;
export type Producer = ReturnType<Kafka['producer']>;
